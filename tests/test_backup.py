"""Backup -> wipe -> restore gives back every case, partner and change, as docs/operating.md says.

SQLite: ``flask --app wsgi db backup PATH`` (the online backup API), restored by copying
the file back while the service is stopped. PostgreSQL: ``pg_dump --format=custom``,
restored with ``pg_restore``; ``db backup`` points there instead of copying.
"""

import os
import shutil
import stat
import subprocess

import psycopg
from case_helpers import PIN, create_case, csrf_token, sign_in, snapshot
from conftest import new_postgres_database
from openncii import partners
from openncii.models import Case, WithdrawnHash


def fill(app):
    """Cases (one withdrawn, so erased but for what partners need), partners (one revoked)
    and their changes."""
    client = app.test_client()
    numbers = [create_case(client) for _ in range(3)]
    assert sign_in(client, numbers[0]).status_code == 302
    token = csrf_token(client)
    withdrawn = client.post(
        "/en/status/withdraw",
        data={"csrf_token": token, "step": "confirm", "confirm": "y", "pin": PIN},
    )
    assert withdrawn.status_code == 302
    with app.app_context():
        partners.create("Platform One")
        partners.create("Platform Two")
        partners.set_active("Platform Two", False)
        assert Case.select().count() == 2 and WithdrawnHash.select().count() > 0
    return snapshot(app)


def backup_command(app, path):
    return app.test_cli_runner().invoke(args=["db", "backup", str(path)])


def test_sqlite_backup_wipe_restore(make_app, tmp_path):
    app = make_app()
    before = fill(app)
    backup = tmp_path / "backups" / "openncii-1.sqlite3"
    backup.parent.mkdir()
    result = backup_command(app, backup)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert backup_command(app, backup).exit_code == 1  # never overwrites

    with app.app_context():
        app.extensions["openncii_db"].close()
    database = tmp_path / "openncii.sqlite3"
    for suffix in ["", "-wal", "-shm"]:  # wipe
        if os.path.exists(f"{database}{suffix}"):
            os.remove(f"{database}{suffix}")
    shutil.copyfile(backup, database)  # restore, as docs/operating.md says

    restored = make_app()
    assert snapshot(restored) == before
    create_case(restored.test_client())  # and it goes on working


def test_postgres_backup_wipe_restore(make_app, tmp_path):
    with new_postgres_database() as url:
        app = make_app(DATABASE_URL=url)
        before = fill(app)
        result = backup_command(app, tmp_path / "unused")
        assert result.exit_code == 1 and "pg_dump" in result.output
        dump = tmp_path / "openncii.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", url], check=True)

        with app.app_context():
            app.extensions["openncii_db"].close_all()
        with psycopg.connect(url, autocommit=True) as connection:  # wipe
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(dump)],
            check=True,
        )

        restored = make_app(DATABASE_URL=url)
        assert snapshot(restored) == before
        create_case(restored.test_client())  # sequences came back too
        with restored.app_context():
            restored.extensions["openncii_db"].close_all()
