"""Shared fixtures: apps on SQLite and PostgreSQL, a live server, and real Chromium.

Storage tests take ``storage_app`` (parametrized over both databases). PostgreSQL is
expected at 127.0.0.1:5432 (user postgres, database ``test``); each run creates and
drops its own database. Without PostgreSQL those tests skip loudly, unless ``CI`` is
set, where they fail.
"""

import os
import re
import threading
import uuid
import warnings
from contextlib import contextmanager

import psycopg
import pytest
from openncii import create_app
from openncii.models import MODELS
from werkzeug.serving import make_server

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The token in the wizard's <meta name="csrf-token"> or in a form's hidden csrf_token field.
CSRF_TOKEN = re.compile(r'name="csrf[-_]token"[^>]*? (?:content|value)="([^"]+)"')


def app_config(database_url, **overrides):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": False,
        "BCRYPT_ROUNDS": 4,
        **overrides,
    }


@pytest.fixture
def make_app(tmp_path):
    """``make_app(**config)``: a fresh app on its own SQLite file unless told otherwise."""

    def factory(**overrides):
        url = overrides.pop("DATABASE_URL", f"sqlite:///{tmp_path / 'openncii.sqlite3'}")
        return create_app(app_config(url, **overrides))

    return factory


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@contextmanager
def new_postgres_database():
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"openncii_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        message = (
            f"PostgreSQL unreachable at {POSTGRES_ADMIN}: {error} -- SKIPPING POSTGRESQL TESTS"
        )
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A new, empty PostgreSQL database for this test run."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def storage_app(request, make_app):
    """The app on each database in turn, with empty tables."""
    if request.param == "sqlite":
        yield make_app()
        return
    app = make_app(DATABASE_URL=request.getfixturevalue("postgres_url"))
    yield app
    with app.app_context():
        db = app.extensions["openncii_db"]
        tables = ", ".join(f'"{model._meta.table_name}"' for model in MODELS)
        db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.close_all()


class Clock:
    """A settable stand-in for ``models.now`` as the change log sees it."""

    def __init__(self, t=1_700_000_000):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    """Freeze the change log's clock at ``clock.t`` (tests move it by hand)."""
    from openncii import changelog

    fake = Clock()
    monkeypatch.setattr(changelog, "now", fake)
    return fake


def csrf_token_of(html):
    """The CSRF token a page carries (in a ``<meta>`` or a hidden form field)."""
    return CSRF_TOKEN.search(html).group(1)


@pytest.fixture
def csrf_token(client):
    """The CSRF token of the English wizard page (valid for the whole test session)."""
    return csrf_token_of(client.get("/en/submit").get_data(as_text=True))


class LiveServer:
    """A real HTTP server for an app on 127.0.0.1, in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def serve():
    """``serve(app)`` -> base URL of a live server for that app, stopped after the test."""
    servers = []

    def start(app):
        servers.append(LiveServer(app))
        return servers[-1].url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    return create_app(app_config(f"sqlite:///{folder / 'openncii.sqlite3'}"))


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of one real server shared by the browser tests (SQLite)."""
    server = LiveServer(live_app)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def bfcache_browser(browser):
    """Chromium with its back/forward cache on, as people use it (Playwright turns it off)."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page; closed after the test."""
    context = browser.new_context()
    yield context.new_page()
    context.close()
