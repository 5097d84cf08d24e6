"""Versioned schema steps, applied in order at start-up (or by ``flask db upgrade``).

Each step is a module ``vNNNN_<name>.py`` in this package with a function
``upgrade(database)``; the highest applied number is kept in the ``schema_version``
table. A step, once released, never changes: later schema changes get a new step
(using ``playhouse.migrate``), so every installation reaches the same schema.

Several processes may start at once (gunicorn workers, machines): the schema set-up,
from creating ``schema_version`` on, runs in one transaction under a lock that the
others *wait* for -- SQLite's exclusive write lock (with a long busy timeout while
waiting), PostgreSQL's transaction-scoped advisory lock -- and then find nothing left
to do. A process that finds the schema current takes no lock at all.
"""

import importlib
import pkgutil
from contextlib import contextmanager

from peewee import IntegerField, Model

from ..db import SQLITE_PRAGMAS, database, is_postgres

LOCK_WAIT_SECONDS = 600  # how long a starting process waits for another's migration
ADVISORY_LOCK = 0x4F4E4349  # PostgreSQL advisory lock key of the schema set-up ("ONCI")


class SchemaVersion(Model):
    version = IntegerField()

    class Meta:
        database = database
        table_name = "schema_version"


def steps():
    """(number, module) for every step in this package, in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("v") and info.name[1:5].isdigit():
            found.append((int(info.name[1:5]), importlib.import_module(f"{__name__}.{info.name}")))
    return sorted(found, key=lambda step: step[0])


def current_version():
    if not SchemaVersion.table_exists():
        return 0
    return SchemaVersion.select(SchemaVersion.version).scalar() or 0


def latest_version():
    return steps()[-1][0]


def migrate():
    """Bring the schema up to date; return ``(version before, version after)``."""
    latest = latest_version()
    version = current_version()
    if version == latest:
        return version, version
    with migration_lock():
        database.create_tables([SchemaVersion], safe=True)
        version = before = current_version()  # another process may have done it meanwhile
        for number, step in steps():
            if number > version:
                step.upgrade(database)
                version = number
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=version)
    return before, version


@contextmanager
def migration_lock():
    """One transaction that holds the database's migration lock; others wait for it."""
    if is_postgres():
        with database.atomic():
            database.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'")
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))
            yield
        return
    database.execute_sql(f"PRAGMA busy_timeout = {LOCK_WAIT_SECONDS * 1000}")
    try:
        with database.atomic("EXCLUSIVE"):
            yield
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {SQLITE_PRAGMAS['busy_timeout']}")
