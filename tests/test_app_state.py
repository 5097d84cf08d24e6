"""Each app keeps its own state: no database (or switch) leaks from one app to another."""

import threading

import pytest
from openncii.db import NoAppContext, database, write_transaction
from openncii.models import Partner


def add_partner(name):
    with write_transaction():
        Partner.create(name=name, key_id=f"id-{name}", key_hash=f"hash-of-{name}")


def partner_names():
    return [partner.name for partner in Partner.select().order_by(Partner.name)]


def test_two_apps_each_use_their_own_database(make_app, tmp_path):
    first = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'first.sqlite3'}")
    second = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'second.sqlite3'}")
    with first.app_context():
        add_partner("first")
    with second.app_context():
        add_partner("second")
    with first.app_context():
        assert partner_names() == ["first"]
    with second.app_context():
        assert partner_names() == ["second"]


def test_the_database_outside_an_app_context_is_an_error(make_app, tmp_path):
    make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'first.sqlite3'}")
    make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'second.sqlite3'}")  # the last one set up
    with pytest.raises(NoAppContext, match="app_context"):
        partner_names()
    with pytest.raises(NoAppContext):
        add_partner("nobody's")
    with pytest.raises(NoAppContext):
        database.connection_context().__enter__()


def test_a_thread_needs_its_own_app_context(app):
    errors = []

    def work():
        try:
            partner_names()
        except NoAppContext as error:
            errors.append(error)

    with app.app_context():
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    assert len(errors) == 1
