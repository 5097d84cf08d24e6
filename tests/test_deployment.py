"""Settings for running behind a proxy, over HTTPS, on several processes (in-process).

The same promises through a real nginx, gunicorn, PostgreSQL and Redis are in
``test_real_stack.py``.
"""

import os
import stat
import threading

import pytest
from conftest import app_config, csrf_token_of
from openncii import config, create_app, limits
from openncii.db import is_postgres_url
from openncii.security import ScrubRequestDetails

SIGN_IN = {"case_number": "7K2Q-DM9X-RTB4-HZ3C", "pin": "not-a-pin"}


def sign_in_statuses(client, token, count, **environ):
    return [
        client.post(
            "/en/status", data={"csrf_token": token, **SIGN_IN}, environ_base=environ
        ).status_code
        for _ in range(count)
    ]


def test_forwarded_client_address_is_used_only_from_trusted_hops(make_app):
    app = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    client = app.test_client()
    token = csrf_token_of(client.get("/en/status").get_data(as_text=True))
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    a = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    b = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert sign_in_statuses(client, token, 11, **a) == [400] * 10 + [429]
    assert sign_in_statuses(client, token, 1, **b) == [400]
    # A's own forged entry sits left of what the proxy appended: still A.
    forged = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.1, 198.51.100.7"}
    assert sign_in_statuses(client, token, 1, **forged) == [429]


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    token = csrf_token_of(client.get("/en/status").get_data(as_text=True))
    statuses = [
        client.post(
            "/en/status",
            data={"csrf_token": token, **SIGN_IN},
            environ_base={"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"},
        ).status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    response = client.get("/en/status", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_ipv6_visitors_are_counted_by_their_64(app):
    def key(address):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return limits.client_key()

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9")
    assert key("2001:db8:1:2::1") != key("2001:db8:1:3::1")
    assert key("::ffff:198.51.100.7") == key("198.51.100.7") != key("198.51.100.8")
    assert limits.client_network("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"


def test_client_key_is_shared_by_processes_with_the_same_secret(make_app, tmp_path):
    def key(app):
        with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.7"}):
            return limits.client_key()

    first, second = make_app(), make_app()
    other = make_app(SECRET_KEY="another-secret")
    assert key(first) == key(second) != key(other)


def test_each_app_keeps_its_own_switch_and_counters(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    free = make_app()
    again = make_app(RATELIMIT_ENABLED=True)
    for app, expected in [(limited, 429), (free, 400), (again, 429)]:
        client = app.test_client()
        token = csrf_token_of(client.get("/en/status").get_data(as_text=True))
        statuses = sign_in_statuses(client, token, 11, REMOTE_ADDR="198.51.100.7")
        assert statuses[-1] == expected


def test_unreachable_counter_store_lets_requests_through(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    token = csrf_token_of(client.get("/en/status").get_data(as_text=True))
    assert sign_in_statuses(client, token, 2, REMOTE_ADDR="198.51.100.7") == [400, 400]


def test_plain_http_keeps_an_ordinary_cookie_and_no_hsts(client):
    response = client.get("/en/status")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    "settings, headers",
    [({"HTTPS": True}, {}), ({"TRUSTED_PROXIES": 1}, {"X-Forwarded-Proto": "https"})],
)
def test_https_gives_a_secure_host_cookie_and_hsts(make_app, settings, headers):
    client = make_app(**settings).test_client()
    response = client.get("/en/status", headers=headers)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"
    # The form still works, with its token in the __Host- cookie and no Referer
    # (pages say Referrer-Policy: no-referrer): the sign-in itself is what fails.
    token = csrf_token_of(response.get_data(as_text=True))
    answer = client.post("/en/status", data={"csrf_token": token, **SIGN_IN}, headers=headers)
    assert answer.status_code == 400
    assert "We could not open a case" in answer.get_data(as_text=True)


def test_redirects_never_name_the_host_they_were_sent(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/en/"


def test_untrusted_host_is_refused(make_app):
    client = make_app(TRUSTED_HOSTS=["ncii.example.org"]).test_client()
    assert client.get("/en/", headers={"Host": "ncii.example.org"}).status_code == 200
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "evil.example" not in refused.headers.get("Location", "")


def test_trusted_settings_come_from_the_environment():
    found = config.from_environment(
        {
            "OPENNCII_TRUSTED_PROXIES": "2",
            "OPENNCII_TRUSTED_HOSTS": "a.example, b.example",
            "OPENNCII_HTTPS": "true",
            "OPENNCII_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert found == {
        "TRUSTED_PROXIES": 2,
        "TRUSTED_HOSTS": ["a.example", "b.example"],
        "HTTPS": True,
        "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
    }


# ------------------------------------------------------------- secrets and files


def test_postgres_without_a_secret_key_refuses_to_start(tmp_path):
    settings = app_config("postgresql://postgres@127.0.0.1:5432/test", SECRET_KEY="")
    with pytest.raises(config.ConfigError, match="OPENNCII_SECRET_KEY"):
        create_app(settings)
    assert is_postgres_url("postgres://x/y") and not is_postgres_url("sqlite:///x")


def test_secret_key_file_is_private_and_shared_by_racing_workers(tmp_path):
    folder = tmp_path / "instance"
    keys, barrier = [], threading.Barrier(8)

    def worker():
        barrier.wait()
        keys.append(config.instance_secret_key(folder))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert stat.S_IMODE(os.stat(folder / "secret_key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert sorted(os.listdir(folder)) == ["secret_key"]


def test_empty_secret_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(config.ConfigError, match="empty"):
        config.instance_secret_key(tmp_path)


def test_sqlite_files_and_instance_folder_are_private(make_app, tmp_path):
    old_umask = os.umask(0o022)
    try:
        app = make_app()
        with app.app_context():
            from openncii.db import database

            database.execute_sql("SELECT 1")
    finally:
        os.umask(old_umask)
    for name in ["openncii.sqlite3", "openncii.sqlite3-wal", "openncii.sqlite3-shm"]:
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(app.instance_path).st_mode) == 0o700


@pytest.mark.parametrize(
    "message",
    [
        "Invalid request from ip=2001:db8::1: Invalid HTTP request line: 'GET /?q=needle HTTP/1.1'",
        "Invalid request from ip=::ffff:198.51.100.7: Invalid HTTP Version: 'HTTP/9.9'",
        "Invalid request from ip=198.51.100.7: Error parsing headers: 'Bad Header'",
        "Error handling request GET /en/faq?q=needle&x=1",
    ],
)
def test_log_scrubber_removes_addresses_and_queries(message):
    scrubbed = ScrubRequestDetails.scrub(message)
    assert "needle" not in scrubbed and "198.51" not in scrubbed and "db8" not in scrubbed
    assert "ffff" not in scrubbed and scrubbed.split()[0] in {"Invalid", "Error"}


def test_unexpected_errors_are_logged_without_request_details(make_app, caplog):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError(f"failed for {app.name} at 198.51.100.7 asking /en/faq?q=needle")

    response = app.test_client().get("/boom?q=needle")
    assert response.status_code == 500
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "RuntimeError" in logged
    assert "198.51.100.7" not in logged and "needle" not in logged
