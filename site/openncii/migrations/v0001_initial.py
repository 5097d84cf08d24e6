"""The first schema: cases, their hashes, partners, feedback and the change log.

Frozen as SQL, so that it stays what it was whatever the models become; later steps
change it. The only differences between the two databases are column types.
"""

from ..db import is_postgres

TYPES = {
    "sqlite": {
        "serial": "INTEGER",
        "bigserial": "INTEGER",
        "bigint": "INTEGER",
        "boolean": "INTEGER",
    },
    "postgres": {
        "serial": "SERIAL",
        "bigserial": "BIGSERIAL",
        "bigint": "BIGINT",
        "boolean": "BOOLEAN",
    },
}

STATEMENTS = [
    'CREATE TABLE "case" ("id" {serial} NOT NULL PRIMARY KEY, "number" VARCHAR(20) NOT NULL, '
    '"pin_hash" VARCHAR(100) NOT NULL, "reference" VARCHAR(40) NOT NULL, '
    "\"status\" VARCHAR(10) NOT NULL CHECK (status IN ('active', 'withdrawn')), "
    '"created_at" {bigint} NOT NULL, "updated_at" {bigint} NOT NULL, '
    '"failed_attempts" INTEGER NOT NULL, "locked_until" {bigint} NOT NULL)',
    'CREATE UNIQUE INDEX "case_number" ON "case" ("number")',
    'CREATE UNIQUE INDEX "case_reference" ON "case" ("reference")',
    'CREATE TABLE "signal" ("id" {serial} NOT NULL PRIMARY KEY, '
    "\"signal_type\" VARCHAR(10) NOT NULL CHECK (signal_type IN ('ImagePDQ', 'VideoMD5')), "
    '"value" VARCHAR(64) NOT NULL)',
    'CREATE UNIQUE INDEX "signal_signal_type_value" ON "signal" ("signal_type", "value")',
    'CREATE TABLE "case_hash" ("id" {serial} NOT NULL PRIMARY KEY, "case_id" INTEGER NOT NULL, '
    '"signal_id" INTEGER NOT NULL, "position" INTEGER NOT NULL, "quality" INTEGER, '
    '"frame_of_id" INTEGER, '
    'FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("signal_id") REFERENCES "signal" ("id"), '
    'FOREIGN KEY ("frame_of_id") REFERENCES "case_hash" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "case_hash_case_id" ON "case_hash" ("case_id")',
    'CREATE INDEX "case_hash_signal_id" ON "case_hash" ("signal_id")',
    'CREATE INDEX "case_hash_frame_of_id" ON "case_hash" ("frame_of_id")',
    'CREATE UNIQUE INDEX "case_hash_case_id_signal_id" ON "case_hash" ("case_id", "signal_id")',
    'CREATE UNIQUE INDEX "case_hash_case_id_position" ON "case_hash" ("case_id", "position")',
    'CREATE TABLE "partner" ("id" {serial} NOT NULL PRIMARY KEY, "name" VARCHAR(100) NOT NULL, '
    '"key_id" VARCHAR(32) NOT NULL, "key_hash" VARCHAR(128) NOT NULL, '
    '"active" {boolean} NOT NULL, "created_at" {bigint} NOT NULL, "updated_at" {bigint} NOT NULL)',
    'CREATE UNIQUE INDEX "partner_name" ON "partner" ("name")',
    'CREATE UNIQUE INDEX "partner_key_id" ON "partner" ("key_id")',
    'CREATE TABLE "partner_hash" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"partner_id" INTEGER NOT NULL, "signal_id" INTEGER NOT NULL, "created_at" {bigint} NOT NULL, '
    'FOREIGN KEY ("partner_id") REFERENCES "partner" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("signal_id") REFERENCES "signal" ("id"))',
    'CREATE INDEX "partner_hash_partner_id" ON "partner_hash" ("partner_id")',
    'CREATE INDEX "partner_hash_signal_id" ON "partner_hash" ("signal_id")',
    'CREATE UNIQUE INDEX "partner_hash_partner_id_signal_id" '
    'ON "partner_hash" ("partner_id", "signal_id")',
    'CREATE TABLE "feedback" ("id" {serial} NOT NULL PRIMARY KEY, "partner_id" INTEGER NOT NULL, '
    '"signal_id" INTEGER NOT NULL, "value" VARCHAR(20) NOT NULL, "tags" TEXT NOT NULL, '
    '"updated_at" {bigint} NOT NULL, '
    'FOREIGN KEY ("partner_id") REFERENCES "partner" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("signal_id") REFERENCES "signal" ("id"))',
    'CREATE INDEX "feedback_partner_id" ON "feedback" ("partner_id")',
    'CREATE INDEX "feedback_signal_id" ON "feedback" ("signal_id")',
    'CREATE UNIQUE INDEX "feedback_partner_id_signal_id" ON "feedback" ("partner_id", "signal_id")',
    'CREATE TABLE "change" ("seq" {bigserial} NOT NULL PRIMARY KEY, '
    '"signal_id" INTEGER NOT NULL, "at" {bigint} NOT NULL, "reason" VARCHAR(20) NOT NULL, '
    'FOREIGN KEY ("signal_id") REFERENCES "signal" ("id"))',
    'CREATE INDEX "change_signal_id" ON "change" ("signal_id")',
    'CREATE INDEX "change_at" ON "change" ("at")',
]


def execute(database, statements):
    """Run SQL ``statements`` whose ``{serial}``-style fields name this database's types."""
    types = TYPES["postgres" if is_postgres() else "sqlite"]
    for statement in statements:
        database.execute_sql(statement.format(**types))


def upgrade(database):
    execute(database, STATEMENTS)
