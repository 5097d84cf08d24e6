"""Faults an operator meets: a worker killed mid-request, an answer lost after the commit,
workers starting at the same moment, the database gone. Real gunicorn, both databases.

Nothing here waits for time or asserts on it: the kill follows the first answer, the
waits are for log lines and answers (with generous upper bounds that only fail a test
that would otherwise hang).
"""

import resource
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import peewee
import pytest
import requests
from case_helpers import case_body
from conftest import app_config, csrf_token_of, new_postgres_database
from faults import Gunicorn, Proxy
from openncii import cases, create_app
from openncii.models import Case, CaseHash, Change, Signal

pytestmark = pytest.mark.slow

CLIENTS = 60
KILL_ROUNDS = 10  # bcrypt cost in the kill test: slow enough to be caught mid-flight


@contextmanager
def database_url(kind, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'openncii.sqlite3'}"
    else:
        with new_postgres_database() as url:
            yield url


def server_env(url, rounds=4):
    return {
        "OPENNCII_DATABASE_URL": url,
        "OPENNCII_SECRET_KEY": "fault-test-secret",
        "OPENNCII_BCRYPT_ROUNDS": str(rounds),
        "OPENNCII_RATELIMIT_ENABLED": "false",
    }


class Client:
    """One person's browser: a session with its CSRF token, one submission, one key."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()
        self.token = csrf_token_of(self.session.get(f"{base_url}/en/status", timeout=60).text)
        self.body = case_body()
        self.key = secrets.token_urlsafe(24)

    def send(self):
        """(status, case number) of one attempt; status None if the connection broke."""
        try:
            response = self.session.post(
                f"{self.base_url}/api/cases",
                json=self.body,
                headers={"X-CSRFToken": self.token, "Idempotency-Key": self.key},
                timeout=120,
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # No answer, or one cut off by the kill: a network error to a browser too.
            return None, None
        return response.status_code, (response.json() or {}).get("caseNumber")


def stored_cases(app):
    """canonical number -> [hash values in order, change rows of those signals], and
    counts of rows that belong to no case."""
    with app.app_context():
        found = {}
        for case in Case.select():
            rows = list(
                CaseHash.select(CaseHash, Signal)
                .join(Signal)
                .where(CaseHash.case == case)
                .order_by(CaseHash.position)
            )
            changes = Change.select().where(Change.signal.in_([row.signal_id for row in rows]))
            found[case.number] = ([row.signal.value for row in rows], changes.count())
        orphans = {
            "cases without hashes": Case.select()
            .where(~Case.id.in_(CaseHash.select(CaseHash.case)))
            .count(),
            "signals without a case": Signal.select()
            .where(~Signal.id.in_(CaseHash.select(CaseHash.signal)))
            .count(),
            "changes without a case": Change.select()
            .where(~Change.signal.in_(CaseHash.select(CaseHash.signal)))
            .count(),
        }
    return found, orphans


def duplicates(found):
    """How many stored cases repeat another one's hashes (same submission, second case)."""
    firsts = [values[0] for values, _ in found.values()]
    return len(firsts) - len(set(firsts))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_worker_killed_mid_flight_loses_nothing_and_retries_make_no_duplicates(kind, tmp_path):
    with database_url(kind, tmp_path) as url, Gunicorn(server_env(url, KILL_ROUNDS)) as server:
        assert server.wait_ready(), "".join(server.lines)
        with ThreadPoolExecutor(8) as pool:
            clients = list(pool.map(lambda _: Client(server.url), range(CLIENTS)))
        victim = server.worker_pids()[0]
        first_answer = threading.Event()
        go = threading.Barrier(CLIENTS)

        def first_attempt(client):
            go.wait(timeout=60)
            result = client.send()
            if result[0] == 201:
                first_answer.set()
            return result

        with ThreadPoolExecutor(CLIENTS) as pool:
            attempts = pool.map(first_attempt, clients)
            assert first_answer.wait(timeout=120)
            server.kill_worker(victim)
            first = list(attempts)

        answered = {
            cases.parse_case_number(number): client
            for client, (status, number) in zip(clients, first, strict=True)
            if status == 201
        }
        checker = create_app(app_config(url))
        found, orphans = stored_cases(checker)
        for number, client in answered.items():
            values, changes = found[number]
            assert values == [item["hashValue"] for item in client.body["hashes"]]
            assert changes == len(values)
        assert orphans == dict.fromkeys(orphans, 0)
        assert duplicates(found) == 0

        # Everyone whose answer was lost sends the same submission again, with the same key.
        with ThreadPoolExecutor(8) as pool:
            retried = list(
                pool.map(
                    lambda pair: pair[1] if pair[1][0] == 201 else pair[0].send(),
                    zip(clients, first, strict=True),
                )
            )
        final, orphans = stored_cases(checker)
        checker.extensions["openncii_db"].close()
        print(
            f"\n{kind}: sent {CLIENTS}, 201 {len(answered)}, "
            f"errors {sum(status != 201 for status, _ in first)}, in database {len(found)}, "
            f"duplicates {duplicates(found)}; after retrying: 201 "
            f"{sum(status == 201 for status, _ in retried)}, in database {len(final)}, "
            f"duplicates {duplicates(final)}"
        )
        assert [status for status, _ in retried] == [201] * CLIENTS
        assert {cases.parse_case_number(number) for _, number in retried} == set(final)
        assert len(final) == CLIENTS and duplicates(final) == 0
        assert orphans == dict.fromkeys(orphans, 0)


def test_retry_after_a_dropped_answer_gives_the_same_case(storage_app, serve):
    base_url = serve(storage_app)
    proxy = Proxy(("127.0.0.1", int(base_url.rsplit(":", 1)[1])))
    try:
        client = Client(proxy.url)
        proxy.drop_case_answers()
        assert client.send() == (None, None)
        assert proxy.dropped == 1
        proxy.drop_case_answers(False)
        status, number = client.send()
    finally:
        proxy.close()
    assert status == 201
    with storage_app.app_context():
        assert [case.number for case in Case.select()] == [cases.parse_case_number(number)]


FRESH_STARTS = 10


def test_two_workers_starting_on_a_new_sqlite_file_all_boot(tmp_path):
    """Ten services of two workers each start at once, each on its own new SQLite file
    (all at once: the busier the machine, the likelier a race would show)."""
    servers = [
        Gunicorn(server_env(f"sqlite:///{tmp_path / f'fresh-{n}.sqlite3'}"), workers=2)
        for n in range(FRESH_STARTS)
    ]
    try:
        failed = ["".join(server.lines) for server in servers if not server.wait_ready()]
        assert not failed, failed[0]
        for server in servers:
            assert requests.get(f"{server.url}/en/status", timeout=60).status_code == 200
    finally:
        for server in servers:
            server.stop()


class Outage:
    """A database that can be made unreachable and brought back, under a live app.

    PostgreSQL: the app connects through a :class:`Proxy` that we cut (the machine's
    server is left alone). SQLite: the folder holding the file is moved away, as when
    a disk is unmounted.
    """

    def __init__(self, kind, tmp_path):
        self.kind, self.tmp_path = kind, tmp_path
        self.proxy = None

    @contextmanager
    def app(self):
        if self.kind == "sqlite":
            (self.tmp_path / "data").mkdir()
            yield create_app(app_config(f"sqlite:///{self.tmp_path / 'data' / 'db.sqlite3'}"))
            return
        with new_postgres_database() as url:
            self.proxy = Proxy(("127.0.0.1", 5432))
            try:
                yield create_app(app_config(url.replace(":5432/", f":{self.proxy.port}/")))
            finally:
                self.proxy.close()

    def begin(self):
        if self.proxy:
            self.proxy.cut()
        else:
            (self.tmp_path / "data").rename(self.tmp_path / "away")

    def end(self):
        if self.proxy:
            self.proxy.restore()
        else:
            (self.tmp_path / "away").rename(self.tmp_path / "data")


def partner_headers(key):
    return {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_database_gone_gives_a_calm_503_then_service_resumes(kind, tmp_path):
    from openncii import partners

    outage = Outage(kind, tmp_path)
    with outage.app() as app:
        with app.app_context():
            _, partner_key = partners.create("Fault Platform")
        client = app.test_client()
        token = csrf_token_of(client.get("/fr/status").get_data(as_text=True))
        body = case_body(lang="fr")
        request_key = secrets.token_urlsafe(24)

        def create():
            return client.post(
                "/api/cases",
                json=body,
                headers={"X-CSRFToken": token, "Idempotency-Key": request_key},
            )

        def fetch():
            return client.get("/v1/FetchHashes", headers=partner_headers(partner_key))

        def sign_in():
            return client.post(
                "/fr/status",
                data={"csrf_token": token, "case_number": "7K2Q-DM9X-RTB4-HZ3C", "pin": "x" * 8},
            )

        outage.begin()
        try:
            page = sign_in()
            api = create()
            feed = fetch()
        finally:
            outage.end()

        assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
        text = page.get_data(as_text=True)
        assert '<html lang="fr"' in text
        assert "Nous ne pouvons pas ouvrir de dossiers pour le moment" in text
        assert "Traceback" not in text
        assert api.status_code == feed.status_code == 503
        assert api.headers["Retry-After"] == feed.headers["Retry-After"]
        assert api.headers["Cache-Control"] == feed.headers["Cache-Control"] == "no-store"
        assert "Nous ne pouvons pas ouvrir" in api.get_json()["error"]
        assert set(feed.get_json()) == {"error"}

        # The database is back: the very same requests work, nothing needed a restart.
        created = create()
        assert created.status_code == 201, created.get_json()
        assert fetch().status_code == 200
        assert sign_in().status_code == 400  # no such case: refused as usual, not a 503
        assert create().get_json() == created.get_json()
        with app.app_context():
            assert Case.select().count() == 1
        app.extensions["openncii_db"].close()


def test_sqlite_disk_full_gives_a_503_then_service_resumes(tmp_path):
    """A full disk, as the one gunicorn worker sees it: it may not grow any file
    (``RLIMIT_FSIZE``, set on that process alone); then the limit is lifted again."""
    url = f"sqlite:///{tmp_path / 'openncii.sqlite3'}"
    with Gunicorn(server_env(url), workers=1) as server:
        assert server.wait_ready(), "".join(server.lines)
        client = Client(server.url)
        (worker,) = server.worker_pids()
        limits = resource.prlimit(worker, resource.RLIMIT_FSIZE)
        resource.prlimit(worker, resource.RLIMIT_FSIZE, (0, limits[1]))
        try:
            response = client.session.post(
                f"{server.url}/api/cases",
                json=client.body | {"lang": "de"},
                headers={"X-CSRFToken": client.token, "Idempotency-Key": client.key},
                timeout=60,
            )
        finally:
            resource.prlimit(worker, resource.RLIMIT_FSIZE, limits)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.json()["error"].startswith("Wir können gerade keine Fälle bearbeiten.")
        status, number = client.send()
        assert status == 201
        found, orphans = stored_cases(create_app(app_config(url)))
        assert list(found) == [cases.parse_case_number(number)]
        assert orphans == dict.fromkeys(orphans, 0)


def test_only_an_unreachable_or_full_database_counts_as_unavailable(app):
    """A real "database or disk is full" (the file capped with ``max_page_count``) is
    a 503; a bug such as a missing table stays an error (a 500, logged)."""
    from openncii import db

    with app.app_context():
        database = app.extensions["openncii_db"]
        with pytest.raises(peewee.OperationalError) as missing:
            database.execute_sql("SELECT * FROM no_such_table")
        assert not db.is_unavailable(missing.value)
        database.execute_sql("CREATE TABLE filler (data BLOB)")
        pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
        database.execute_sql(f"PRAGMA max_page_count = {pages + 1}")
        with pytest.raises(peewee.OperationalError) as full:
            database.execute_sql("INSERT INTO filler VALUES (zeroblob(100000))")
        assert "full" in str(full.value) and db.is_unavailable(full.value)
        database.close()
