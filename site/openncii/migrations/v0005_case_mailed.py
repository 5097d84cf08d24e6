"""Remember which cases had their number e-mailed, so the server allows it only once.

One row per case (never the address); it goes with its case.
"""


def upgrade(database):
    database.execute_sql(
        'CREATE TABLE IF NOT EXISTS "case_mailed" ("case_id" INTEGER NOT NULL PRIMARY KEY, '
        'FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)'
    )
