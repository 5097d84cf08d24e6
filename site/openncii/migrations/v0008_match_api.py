"""MatchHashes: a per-partner switch for recording matches as PendingReview, and the
per-partner daily counts of match requests (never the hashes asked about)."""

from ..db import is_postgres


def upgrade(database):
    boolean, serial = ("BOOLEAN", "SERIAL") if is_postgres() else ("INTEGER", "INTEGER")
    database.execute_sql(
        f'ALTER TABLE "partner" ADD COLUMN "match_feedback" {boolean} NOT NULL DEFAULT TRUE'
    )
    database.execute_sql(
        f'CREATE TABLE "match_usage" ("id" {serial} NOT NULL PRIMARY KEY, '
        '"partner_id" INTEGER NOT NULL, "day" INTEGER NOT NULL, "requests" INTEGER NOT NULL, '
        '"hashes" INTEGER NOT NULL, "matched" INTEGER NOT NULL, '
        'FOREIGN KEY ("partner_id") REFERENCES "partner" ("id") ON DELETE CASCADE)'
    )
    database.execute_sql('CREATE INDEX "match_usage_partner_id" ON "match_usage" ("partner_id")')
    database.execute_sql(
        'CREATE UNIQUE INDEX "match_usage_partner_id_day" ON "match_usage" ("partner_id", "day")'
    )
