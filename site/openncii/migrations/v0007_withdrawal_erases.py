"""Withdrawal erases; "shared" only once a partner has fetched.

- ``withdrawn_hash``: what the feed still needs of a withdrawn case (its reference
  beside each hash) for the retention period; the case row itself is deleted.
- ``signal.deleted_at``: when the feed started calling a withdrawn hash Deleted.
- ``partner.fetched_seq``: how far each partner has fetched the change log.
- ``case.published_after``: the change log's last seq before the case's own changes.

Cases withdrawn before this step are erased by it, as they would be now: their
hashes get ``withdrawn_hash`` rows stamped with the time of the withdrawal, then the
case rows (PIN hashes, links to hashes) are deleted. Existing cases and partners
start at 0: a hash counts as shared again once a partner fetches one of its changes.
"""

from ..db import is_postgres

BIGINT = {"sqlite": "INTEGER", "postgres": "BIGINT"}
SERIAL = {"sqlite": "INTEGER", "postgres": "SERIAL"}

STATEMENTS = [
    'ALTER TABLE "case" ADD COLUMN "published_after" {bigint} NOT NULL DEFAULT 0',
    'ALTER TABLE "signal" ADD COLUMN "deleted_at" {bigint}',
    'CREATE INDEX "signal_deleted_at" ON "signal" ("deleted_at")',
    'ALTER TABLE "partner" ADD COLUMN "fetched_seq" {bigint} NOT NULL DEFAULT 0',
    'CREATE TABLE "withdrawn_hash" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"signal_id" INTEGER NOT NULL, "reference" VARCHAR(40) NOT NULL, '
    '"withdrawn_at" {bigint} NOT NULL, '
    'FOREIGN KEY ("signal_id") REFERENCES "signal" ("id"))',
    'CREATE INDEX "withdrawn_hash_withdrawn_at" ON "withdrawn_hash" ("withdrawn_at")',
    'CREATE UNIQUE INDEX "withdrawn_hash_signal_id_reference" '
    'ON "withdrawn_hash" ("signal_id", "reference")',
    # Erase the cases withdrawn so far, keeping what the feed needs.
    'INSERT INTO "withdrawn_hash" ("signal_id", "reference", "withdrawn_at") '
    'SELECT h."signal_id", c."reference", c."updated_at" FROM "case_hash" h '
    'JOIN "case" c ON c."id" = h."case_id" WHERE c."status" = \'withdrawn\'',
    'DELETE FROM "case_hash" WHERE "case_id" IN '
    '(SELECT "id" FROM "case" WHERE "status" = \'withdrawn\')',
    'DELETE FROM "case" WHERE "status" = \'withdrawn\'',
]


def upgrade(database):
    kind = "postgres" if is_postgres() else "sqlite"
    for statement in STATEMENTS:
        database.execute_sql(statement.format(bigint=BIGINT[kind], serial=SERIAL[kind]))
