"""The migration steps build exactly the schema the models declare, on both databases.

A fresh installation runs every step from the frozen v0001 on; a model changed without
a new step (or a step that doesn't match its model) makes the two schemas differ.
"""

import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from conftest import app_config, new_postgres_database
from openncii import create_app, migrations
from openncii.db import is_postgres, open_database
from openncii.models import MODELS

PROJECT = Path(__file__).resolve().parents[1]

SQLITE_SCHEMA = """SELECT type, name, tbl_name, sql FROM sqlite_master
                   WHERE name NOT LIKE 'sqlite_%' AND tbl_name != 'schema_version'"""
POSTGRES_SCHEMA = [
    """SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,
              column_default
       FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name != 'schema_version'""",
    """SELECT tablename, indexname, indexdef FROM pg_indexes
       WHERE schemaname = 'public' AND tablename != 'schema_version'""",
    """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace
         AND conrelid::regclass::text != 'schema_version'""",
]


def schema(db):
    queries = POSTGRES_SCHEMA if is_postgres(db) else [SQLITE_SCHEMA]
    return sorted(tuple(row) for query in queries for row in db.execute_sql(query).fetchall())


def declared_schema(url, tmp_path):
    db = open_database(url, tmp_path)
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
    try:
        return schema(db)
    finally:
        db.close()


def migrated_schema(make_app, url):
    app = make_app(DATABASE_URL=url)  # migrates at start-up
    with app.app_context():
        return schema(app.extensions["openncii_db"])


def test_sqlite_migrations_match_the_models(make_app, tmp_path):
    migrated = migrated_schema(make_app, f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    declared = declared_schema(f"sqlite:///{tmp_path / 'declared.sqlite3'}", tmp_path)
    assert migrated == declared
    assert any(name == "change_at_seq" for _, name, _, _ in migrated)


def test_postgres_migrations_match_the_models(make_app, tmp_path):
    with new_postgres_database() as migrated_url, new_postgres_database() as declared_url:
        migrated = migrated_schema(make_app, migrated_url)
        declared = declared_schema(declared_url, tmp_path)
    assert migrated == declared
    assert any(row[1] == "change_at_seq" for row in migrated if len(row) == 3)


def _wait_with(barrier):
    global START
    START = barrier


def _start_app(url):
    """One worker process starting: the app, which sets up the database first."""
    START.wait(timeout=60)
    app = create_app(app_config(url))
    app.extensions["openncii_db"].close()
    return app.extensions["openncii_schema"]


def test_processes_starting_at_once_migrate_once_and_all_start(tmp_path):
    """Six processes (as six workers would) set up one new database at the same moment,
    on each database: the lock makes the others wait, none fails, the schema is complete.

    Processes, not threads: CPython 3.11 can fail compiling in several threads at once
    ("AST constructor recursion depth mismatch"), which workers never do."""
    fork = multiprocessing.get_context("fork")
    with new_postgres_database() as postgres_url:
        for url in (f"sqlite:///{tmp_path / 'racing.sqlite3'}", postgres_url):
            barrier = fork.Barrier(6)
            with ProcessPoolExecutor(
                6, mp_context=fork, initializer=_wait_with, initargs=(barrier,)
            ) as pool:
                results = list(pool.map(_start_app, [url] * 6))
            latest = migrations.latest_version()
            assert sorted(results) == [(0, latest)] + [(latest, latest)] * 5


def test_db_upgrade_command_reports_what_it_did(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {**os.environ, "OPENNCII_DATABASE_URL": url, "OPENNCII_SECRET_KEY": "cli-test"}
    command = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "db", "upgrade"]
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
    latest = migrations.latest_version()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Upgraded the schema from version 0 to {latest}."

    again = create_app(app_config(url)).test_cli_runner().invoke(args=["db", "upgrade"])
    assert again.output.strip() == f"The schema is up to date (version {latest})."
