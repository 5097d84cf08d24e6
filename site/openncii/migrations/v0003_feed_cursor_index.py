"""Index the change log by (at, seq): a feed's first page is then one index seek.

A fetch starts at the first change with ``at >= startTimestamp``; with ties on ``at``
(a whole second, or a bulk load) only ``(at, seq)`` finds it without a scan. It
replaces the single-column index on ``at``.

``IF [NOT] EXISTS`` because installations made while v0001 still created the tables
from the models (before it was frozen as SQL) got this index from it.
"""


def upgrade(database):
    database.execute_sql('CREATE INDEX IF NOT EXISTS "change_at_seq" ON "change" ("at", "seq")')
    database.execute_sql('DROP INDEX IF EXISTS "change_at"')
