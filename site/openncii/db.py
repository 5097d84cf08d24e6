"""The database: SQLite in the instance folder by default, PostgreSQL from a URL.

Models bind to :data:`database`, a proxy that resolves to the database of the Flask app
in the current app context (``app.extensions["openncii_db"]``), so several apps, e.g. one
per backend in the tests, can live in one process. Outside any app context it raises
:class:`NoAppContext` rather than guess: a script, a thread or a benchmark opens one with
``with app.app_context():`` (threads don't inherit their parent's).

Waiting: every SQLite connection waits up to 15 s for another's write lock
(``busy_timeout``); every PostgreSQL connection waits as long for a row or table lock
(``lock_timeout``) and 5 s to connect, so that a database that is gone shows as a
calm 503 (see :func:`is_unavailable`) rather than a hung page. The pool checks a
connection before lending it, so the service resumes by itself when the database
is back.
"""

import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app, has_app_context
from peewee import (
    DatabaseProxy,
    InterfaceError,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)
from playhouse.db_url import parse as parse_url
from playhouse.pool import MaxConnectionsExceeded, PooledPostgresqlDatabase

POSTGRES_SCHEMES = {"postgres", "postgresql"}
SQLITE_PRAGMAS = {
    "foreign_keys": 1,
    "busy_timeout": 15000,
    "synchronous": "normal",
    # Deleted rows are overwritten with zeros, not left in free pages: what a
    # withdrawal or a purge erases is gone from the file (see openncii.retention).
    "secure_delete": 1,
}
POSTGRES_CONNECT_SECONDS = 5
POSTGRES_OPTIONS = "-c lock_timeout=15s"
# What SQLite says when the file can't be reached or written, as opposed to a bug.
SQLITE_UNAVAILABLE = (
    "database is locked",
    "disk is full",
    "disk i/o error",
    "unable to open database",
    "readonly database",
)


class WalSqliteDatabase(SqliteDatabase):
    """SQLite in write-ahead-log mode, set on every new connection.

    Switching a new file to WAL takes it whole for a moment, and when several workers
    connect to a new file at once SQLite may answer "database is locked" at once instead
    of waiting (its busy handler stands aside where waiting could deadlock). That one
    statement is retried, for as long as the busy timeout, before the other pragmas.
    """

    def _set_pragmas(self, conn):
        deadline = time.monotonic() + SQLITE_PRAGMAS["busy_timeout"] / 1000
        while True:
            try:
                conn.execute("PRAGMA journal_mode = wal")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        super()._set_pragmas(conn)


class NoAppContext(RuntimeError):
    """The database was used outside an app context, where there is no app to ask."""

    def __init__(self):
        super().__init__(
            "no app context: the database belongs to a Flask app; "
            "use `with app.app_context():` around database work (threads need their own)"
        )


class AppDatabase(DatabaseProxy):
    """Resolves to ``current_app``'s database; using it outside an app context is an error.

    There ``obj`` is None, which peewee's model machinery takes for a proxy not bound
    yet (binding models, e.g. ``bind_ctx``, looks at it); any use of the database
    itself raises :class:`NoAppContext`.
    """

    __slots__ = ()

    def __init__(self):
        object.__setattr__(self, "_callbacks", [])

    @property
    def obj(self):
        return current_app.extensions["openncii_db"] if has_app_context() else None

    def current(self):
        """The current app's database, or :class:`NoAppContext`."""
        if not has_app_context():
            raise NoAppContext()
        return current_app.extensions["openncii_db"]

    def initialize(self, obj):
        raise TypeError("each app holds its own database: see openncii.db.init_app")

    def __getattr__(self, attr):
        if attr.startswith("__") or attr in DatabaseProxy.__slots__:
            raise AttributeError(attr)
        return getattr(self.current(), attr)

    def __enter__(self):
        return self.current().__enter__()

    def __exit__(self, *exc_info):
        return self.current().__exit__(*exc_info)


database = AppDatabase()


def is_postgres_url(url):
    return urlparse(url or "").scheme in POSTGRES_SCHEMES


def private_file(path):
    """Create ``path`` if missing, and make it readable by this user only (0600).

    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode.
    """
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


def open_database(url, instance_path):
    """Create (not connect) the peewee database an ``OPENNCII_DATABASE_URL`` names."""
    if not url:
        url = f"sqlite:///{Path(instance_path) / 'openncii.sqlite3'}"
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else ":memory:"
        if path != ":memory:":
            private_file(path)
        return WalSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=15)
    if scheme in POSTGRES_SCHEMES:
        params = {
            "connect_timeout": POSTGRES_CONNECT_SECONDS,
            "options": POSTGRES_OPTIONS,
            **parse_url(url),
        }
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
    db = database.current() if db is None else db
    return isinstance(db, PostgresqlDatabase)


class BackupError(Exception):
    """A backup could not be made; the message says why and what to do instead."""


PG_DUMP_ADVICE = (
    "This service runs on PostgreSQL: back it up with pg_dump, e.g. "
    '`pg_dump --format=custom --file=PATH "$OPENNCII_DATABASE_URL"` '
    "(see docs/operating.md)."
)


def backup(path, db=None):
    """Copy the SQLite database to a new file ``path`` (0600) while the service runs.

    SQLite's online backup API copies a consistent snapshot, WAL included, without
    stopping writers for long. The copy is made beside ``path`` and renamed into place,
    so ``path`` never holds half a backup.
    """
    db = database.current() if db is None else db
    if is_postgres(db):
        raise BackupError(PG_DUMP_ADVICE)
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name.")
    partial = target.with_name(f".{target.name}.partial")
    private_file(partial)
    try:
        with sqlite3.connect(partial) as copy:
            db.connection().backup(copy)
        copy.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def is_unavailable(error):
    """Whether ``error`` means the database can't be reached or written just now.

    Such errors pass: the visitor gets a 503 and the service carries on. Anything else
    from the database (a constraint, a bug in a query) is a real error.
    """
    if isinstance(error, (MaxConnectionsExceeded, InterfaceError)):
        return True
    if not isinstance(error, OperationalError):
        return False
    if is_postgres():
        return True  # psycopg's OperationalError: connection lost or refused, timeouts
    return any(part in str(error).lower() for part in SQLITE_UNAVAILABLE)


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
    with app.app_context():
        with database.connection_context():
            app.extensions["openncii_schema"] = migrations.migrate()

    # Connections open lazily on a request's first query (peewee's autoconnect), so
    # pages that never touch the database don't pay for one.
    @app.teardown_appcontext
    def close(exc):
        if not database.is_closed():
            database.close()
