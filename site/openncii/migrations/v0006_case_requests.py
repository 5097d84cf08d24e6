"""Idempotency keys of case creations: a retry of ``POST /api/cases`` finds its case.

See :class:`openncii.models.CaseRequest`. Rows expire after a day; ``expires_at`` is
indexed so that deleting the expired ones is one range scan.
"""

from .v0001_initial import execute

STATEMENTS = [
    'CREATE TABLE "case_request" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"key_hash" VARCHAR(64) NOT NULL, "body_digest" VARCHAR(64) NOT NULL, '
    '"case_id" INTEGER NOT NULL, "expires_at" {bigint} NOT NULL, '
    'FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "case_request_key_hash" ON "case_request" ("key_hash")',
    'CREATE INDEX "case_request_case_id" ON "case_request" ("case_id")',
    'CREATE INDEX "case_request_expires_at" ON "case_request" ("expires_at")',
]


def upgrade(database):
    execute(database, STATEMENTS)
