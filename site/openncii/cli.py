"""Operator commands: ``flask --app wsgi cases stats`` (and other groups beside it)."""

import datetime
import json

import click
from flask import current_app
from flask.cli import AppGroup

from . import cases, db, partners, retention
from .db import compact_log, database
from .helpdesk import support

cases_cli = AppGroup("cases", help="Cases: aggregate figures only, never one case's details.")


@cases_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats_command(as_json):
    """Print counts of cases, hashes and partner feedback."""
    with database.connection_context():
        figures = cases.stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(
        f"Cases: {figures['cases']['active']} active, {figures['cases']['withdrawn']} withdrawn"
    )
    click.echo(
        "Hashes in cases: "
        + ", ".join(f"{count} {kind}" for kind, count in figures["case_hashes"].items())
    )
    click.echo(f"Distinct hashes: {figures['distinct_hashes']}")
    click.echo(
        f"Partners: {figures['partners']['active']} active of {figures['partners']['total']}"
    )
    for name, values in figures["feedback_by_partner"].items():
        click.echo(
            f"Feedback from {name}: "
            + ", ".join(f"{count} {value}" for value, count in values.items())
        )


@cases_cli.command("purge")
def purge_command():
    """Erase withdrawn hashes whose retention has passed; trim the feed's change log.

    Run it daily (cron or a systemd timer); see docs/operating.md.
    """
    days = current_app.config["WITHDRAWN_RETENTION_DAYS"]
    with database.connection_context():
        done = retention.purge(days, prune=True)
        compact_log()
    click.echo(
        f"Retention {days} days: {done.expired} withdrawn references expired, "
        f"{done.deleted} hashes now Deleted, {done.purged} hash values purged, "
        f"{done.pruned} superseded changes dropped."
    )


partners_cli = AppGroup("partners", help="Partner platforms and their API keys.")


def _partner_command(action):
    """Run ``action`` with a database connection; turn PartnerError into a CLI error."""
    try:
        with database.connection_context():
            return action()
    except partners.PartnerError as error:
        raise click.ClickException(str(error)) from None


def _print_key(message, key):
    click.echo(message + " It is shown only this once: pass it to the partner securely.")
    click.echo(key)


@partners_cli.command("add")
@click.argument("name")
def add_partner(name):
    """Create partner NAME and print its API key (the last line)."""
    partner, key = _partner_command(lambda: partners.create(name))
    _print_key(f"Created partner {partner.name}.", key)


@partners_cli.command("rotate")
@click.argument("name")
def rotate_partner(name):
    """Give partner NAME a new API key; the old key stops working."""
    partner, key = _partner_command(lambda: partners.rotate(name))
    _print_key(f"New key for {partner.name}; the old key no longer works.", key)


@partners_cli.command("revoke")
@click.argument("name")
def revoke_partner(name):
    """Stop partner NAME from using the API (its key then gets 403)."""
    partner = _partner_command(lambda: partners.set_active(name, False))
    click.echo(f"Revoked {partner.name}.")


@partners_cli.command("restore")
@click.argument("name")
def restore_partner(name):
    """Let a revoked partner NAME use the API again with its key."""
    partner = _partner_command(lambda: partners.set_active(name, True))
    click.echo(f"Restored {partner.name}.")


@partners_cli.command("list")
def list_partners():
    """Print every partner: name, key id, state."""
    for partner in _partner_command(partners.all_partners):
        state = "active" if partner.active else "revoked"
        click.echo(f"{partner.name}\t{partner.key_id}\t{state}")


support_cli = AppGroup("support", help="The support directory in content/support/.")


@support_cli.command("check")
def check_support():
    """List entries to check again: stale, not from the organisation's own site, incomplete.

    Exits with status 1 when anything is listed, so it can run from cron.
    """
    directory = current_app.extensions["openncii_support"]
    findings = support.check_directory(
        directory, datetime.date.today(), current_app.config["LANGUAGES"]
    )
    for slug, problem in findings:
        click.echo(f"{slug}: {problem}")
    entries = len({slug for slug, _ in findings})
    if findings:
        click.echo(f"{entries} of {len(directory)} entries need checking.")
        raise SystemExit(1)
    click.echo(f"All {len(directory)} entries are up to date.")


db_cli = AppGroup("db", help="The database: schema upgrades and backups.")


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the SQLite database to a new file PATH, safely while the service runs."""
    try:
        with database.connection_context():
            target = db.backup(path)
    except db.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {target}.")


@db_cli.command("upgrade")
def upgrade_command():
    """Bring the schema up to date (the app also does it, under a lock, when it starts).

    Run it before starting new code's workers, so that none of them has to wait.
    """
    before, after = current_app.extensions["openncii_schema"]
    if before == after:
        click.echo(f"The schema is up to date (version {after}).")
    else:
        click.echo(f"Upgraded the schema from version {before} to {after}.")


def init_app(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(partners_cli)
    app.cli.add_command(support_cli)
