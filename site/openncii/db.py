"""The database: SQLite in the instance folder by default, PostgreSQL from a URL.

Models bind to :data:`database`, a proxy that resolves to the database of the Flask app
in the current app context (so several apps, e.g. one per backend in the tests, can live
in one process), or to the most recently initialised one outside any app context.
"""

from pathlib import Path
from urllib.parse import urlparse

from flask import current_app, has_app_context
from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledPostgresqlDatabase

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 15000,
    "synchronous": "normal",
    # Deleted rows are overwritten with zeros, not left in free pages: what a
    # withdrawal or a purge erases is gone from the file (see openncii.retention).
    "secure_delete": 1,
}


class AppDatabase(DatabaseProxy):
    """Resolves to ``current_app``'s database, falling back to the last one initialised."""

    __slots__ = ("_fallback",)

    @property
    def obj(self):
        if has_app_context():
            app_db = current_app.extensions.get("openncii_db")
            if app_db is not None:
                return app_db
        return self._fallback

    def __setattr__(self, attr, value):
        object.__setattr__(self, "_fallback" if attr == "obj" else attr, value)


database = AppDatabase()


def open_database(url, instance_path):
    """Create (not connect) the peewee database an ``OPENNCII_DATABASE_URL`` names."""
    if not url:
        url = f"sqlite:///{Path(instance_path) / 'openncii.sqlite3'}"
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else ":memory:"
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=15)
    if scheme in {"postgres", "postgresql"}:
        params = parse_url(url)
        return PooledPostgresqlDatabase(
            params.pop("database"),
            max_connections=32,
            stale_timeout=300,
            timeout=30,
            prefer_psycopg3=True,
            **params,
        )
    raise ValueError(f"Unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://")


def is_postgres(db=None):
    db = database.obj if db is None else db
    return isinstance(db, PostgresqlDatabase)


def write_transaction():
    """A transaction that takes the write lock up front.

    SQLite's default deferred transactions fail with "database is locked" when two
    readers both try to upgrade to writers; ``BEGIN IMMEDIATE`` queues them instead.
    """
    if is_postgres():
        return database.atomic()
    return database.atomic("IMMEDIATE")


def compact_log():
    """Empty SQLite's write-ahead log, which still holds pages as they were before a delete.

    Nothing to do on PostgreSQL, whose dead rows are vacuumed away.
    """
    if not is_postgres():
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def init_app(app):
    from . import migrations

    db = open_database(app.config["DATABASE_URL"], app.instance_path)
    app.extensions["openncii_db"] = db
    database.initialize(db)
    with app.app_context():
        with database.connection_context():
            migrations.migrate()

    # Connections open lazily on a request's first query (peewee's autoconnect), so
    # pages that never touch the database don't pay for one.
    @app.teardown_appcontext
    def close(exc):
        if not database.is_closed():
            database.close()
