"""The databases a benchmark runs on: a new SQLite file, then a new PostgreSQL database.

Each PostgreSQL database is created for the run on the local server (127.0.0.1:5432,
user postgres) and dropped after it, whatever happens.
"""

import argparse
import uuid
from contextlib import contextmanager

import psycopg

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_ADMIN = f"{POSTGRES_SERVER}/test"


@contextmanager
def postgres_database():
    """Yield the URL of a new, empty PostgreSQL database; drop it afterwards."""
    name = f"openncii_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_SERVER}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def databases(folder, only=None):
    """Yield ``(label, url)`` for SQLite in ``folder``, then PostgreSQL; ``only`` picks one."""
    if only != "postgres":
        yield "SQLite", f"sqlite:///{folder}/bench.sqlite3"
    if only != "sqlite":
        with postgres_database() as url:
            yield "PostgreSQL", url


def hash_run_arguments(description, hashes, quick_hashes=2_000):
    """Parse ``--hashes N``, ``--only sqlite|postgres`` and ``--quick`` (a smoke run)."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=hashes)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--quick", action="store_true", help=f"{quick_hashes:,} hashes: a smoke run"
    )
    args = parser.parse_args()
    if args.quick:
        args.hashes = quick_hashes
    return args
