"""Versioned schema steps, applied in order at start-up.

Each step is a module ``vNNNN_<name>.py`` in this package with a function
``upgrade(database)``; the highest applied number is kept in the ``schema_version``
table. A step, once released, never changes: later schema changes get a new step
(using ``playhouse.migrate``), so every installation reaches the same schema.
"""

import importlib
import pkgutil

from peewee import IntegerField, Model

from ..db import database, is_postgres, write_transaction


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


def migrate():
    """Bring the schema up to date; safe to run from several processes at once."""
    database.create_tables([SchemaVersion], safe=True)
    with write_transaction():
        if is_postgres():
            database.execute_sql("LOCK TABLE schema_version IN EXCLUSIVE MODE")
        version = current_version()
        for number, step in steps():
            if number > version:
                step.upgrade(database)
                version = number
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=version)
