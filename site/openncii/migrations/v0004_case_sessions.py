"""Server-side case sessions and sign-in attempt buckets; the lock leaves the case row.

``case_session`` holds revocable sign-ins and the one-time hand-over of a new case
number; ``sign_in_attempts`` replaces ``case.failed_attempts`` / ``case.locked_until``
(see the lockout design in :mod:`openncii.cases`). Frozen as SQL, like v0001.
"""

from .v0001_initial import execute

STATEMENTS = [
    'CREATE TABLE "case_session" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"token_hash" VARCHAR(64) NOT NULL, "case_id" INTEGER NOT NULL, '
    "\"purpose\" VARCHAR(10) NOT NULL CHECK (purpose IN ('signed_in', 'new_case')), "
    '"expires_at" {bigint} NOT NULL, "emailed" {boolean} NOT NULL, '
    'FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "case_session_token_hash" ON "case_session" ("token_hash")',
    'CREATE INDEX "case_session_case_id" ON "case_session" ("case_id")',
    'CREATE INDEX "case_session_expires_at" ON "case_session" ("expires_at")',
    'CREATE TABLE "sign_in_attempts" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"bucket" VARCHAR(64) NOT NULL, "failures" INTEGER NOT NULL, '
    '"locked_until" {bigint} NOT NULL, "expires_at" {bigint} NOT NULL)',
    'CREATE UNIQUE INDEX "sign_in_attempts_bucket" ON "sign_in_attempts" ("bucket")',
    'CREATE INDEX "sign_in_attempts_expires_at" ON "sign_in_attempts" ("expires_at")',
    'ALTER TABLE "case" DROP COLUMN "failed_attempts"',
    'ALTER TABLE "case" DROP COLUMN "locked_until"',
]


def upgrade(database):
    execute(database, STATEMENTS)
