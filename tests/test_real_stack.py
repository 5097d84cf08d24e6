"""The production stack on 127.0.0.1: nginx (HTTPS) -> two gunicorn processes -> PostgreSQL + Redis.

nginx runs ``docs/deploy/nginx-site.conf`` as shipped, with only its ports, paths and
upstreams pointed at this test's temporary folder. Visitors are told apart by their
source address (127.0.0.2, 127.0.0.3: all of 127/8 is loopback), as nginx sees them.
Redis counters go under a key prefix unique to this run, deleted afterwards.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from conftest import csrf_token_of, new_postgres_database
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_URL = "redis://127.0.0.1:6379/0"
CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"
SIGN_IN_LIMIT = 10  # views.status.LOOKUP_LIMIT, per minute
SECRET_QUERY = "needle" + uuid.uuid4().hex[:8]

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url, process, log):
    """Poll ``url`` until the server answers it (or the process dies)."""
    deadline = time.monotonic() + 60
    session = requests.Session()
    session.trust_env = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{Path(log).read_text()}")
        try:
            session.get(url, timeout=5, allow_redirects=False).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start:\n{Path(log).read_text()}")


def start_gunicorn(env, folder, name):
    """Start one gunicorn (one worker); (process, port, log). Wait with wait_until_serving."""
    port = free_port()
    log = folder / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        + ["-b", f"127.0.0.1:{port}", "-w", "1", "--access-logfile", str(log)]
        + ["--error-logfile", str(log), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port, log


def make_certificate(folder):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=ncii.example.org", "-keyout", str(folder / "privkey.pem")]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:ncii.example.org"]
        + ["-out", str(folder / "fullchain.pem")],
        check=True,
        capture_output=True,
    )


def nginx_config(folder, https_port, http_port, upstreams):
    """The shipped site file, pointed at this folder, these ports and these gunicorns."""
    site = (ROOT / "docs/deploy/nginx-site.conf").read_text()
    servers = "".join(f"server 127.0.0.1:{port};\n    " for port in upstreams)
    site = site.replace("server 127.0.0.1:8000;\n    ", servers)
    site = site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = site.replace("/etc/letsencrypt/live/ncii.example.org/", f"{folder}/")
    site = site.replace("/var/log/nginx/", f"{folder}/nginx-")
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/tmp-{kind};"
        for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    )
    return (
        f"pid {folder}/nginx.pid;\nerror_log {folder}/nginx-main-error.log;\n"
        "worker_processes 1;\nevents { worker_connections 64; }\n"
        f"http {{\n    access_log off;\n{temp}\n{site}\n}}\n"
    )


class Visitor(HTTPAdapter):
    """Connects from a chosen loopback address, so nginx sees a distinct client."""

    def __init__(self, source):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.source, 0), **kwargs)


def visitor(stack, source):
    """A browser-like session from ``source`` that trusts the test's certificate."""
    session = requests.Session()
    session.mount("https://", Visitor(source))
    session.mount("http://", Visitor(source))
    session.trust_env = False  # no proxy or CA bundle from the environment
    session.verify = str(stack["folder"] / "fullchain.pem")
    return session


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Base URL of nginx (HTTPS) in front of two gunicorns; their logs; the Redis prefix."""
    folder = tmp_path_factory.mktemp("stack")
    prefix = f"openncii-test-{uuid.uuid4().hex[:12]}"
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not running at {REDIS_URL} (`make test` starts it)")
    processes = []
    with new_postgres_database() as database_url:
        env = {
            **os.environ,
            "OPENNCII_DATABASE_URL": database_url,
            "OPENNCII_SECRET_KEY": uuid.uuid4().hex,
            "OPENNCII_TRUSTED_PROXIES": "1",
            "OPENNCII_RATELIMIT_STORAGE_URL": REDIS_URL,
            "OPENNCII_RATELIMIT_STORAGE_PREFIX": prefix,
            "OPENNCII_BCRYPT_ROUNDS": "4",
        }
        try:
            # Both start at once on the empty database: start-up migrates it once, locked.
            gunicorns = [start_gunicorn(env, folder, f"gunicorn-{n}") for n in (1, 2)]
            processes += [process for process, _, _ in gunicorns]
            for process, port, log in gunicorns:
                wait_until_serving(f"http://127.0.0.1:{port}/en/", process, log)
            make_certificate(folder)
            https_port, http_port = free_port(), free_port()
            config = folder / "nginx.conf"
            config.write_text(
                nginx_config(folder, https_port, http_port, [port for _, port, _ in gunicorns])
            )
            nginx = subprocess.Popen(
                [NGINX, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(nginx)
            nginx_log = folder / "nginx-main-error.log"
            wait_until_serving(f"http://127.0.0.1:{http_port}/", nginx, nginx_log)
            yield {
                "url": f"https://127.0.0.1:{https_port}",
                "http_url": f"http://127.0.0.1:{http_port}",
                "gunicorns": gunicorns,
                "folder": folder,
                "redis": store,
                "prefix": prefix,
            }
        finally:
            for process in processes:
                process.send_signal(signal.SIGINT)  # quick shutdown, for gunicorn and nginx
            for process in processes:
                process.wait(timeout=30)
            for key in store.scan_iter(f"{prefix}:*"):
                store.delete(key)


def sign_in_attempts(session, url, count, forged=None):
    """Statuses of ``count`` failed sign-ins in a row (nginx spreads them over both gunicorns)."""
    token = csrf_token_of(session.get(f"{url}/en/status").text)
    headers = {"X-Forwarded-For": forged} if forged else {}
    form = {"csrf_token": token, "case_number": "7K2Q-DM9X-RTB4-HZ3C", "pin": "wrong-pin-1"}
    return [
        session.post(f"{url}/en/status", data=form, headers=headers, allow_redirects=False)
        for _ in range(count)
    ]


def test_limits_follow_the_real_client_across_processes(stack):
    url = stack["url"]
    a, b = visitor(stack, CLIENT_A), visitor(stack, CLIENT_B)
    answers = sign_in_attempts(a, url, SIGN_IN_LIMIT + 1)
    assert [answer.status_code for answer in answers] == [400] * SIGN_IN_LIMIT + [429]
    assert "We could not open a case" in answers[0].text  # the PIN was checked
    # Both gunicorn processes served A's attempts, counting in the one Redis store.
    for _, _, log in stack["gunicorns"]:
        assert 'POST /en/status HTTP/1.0" 400' in log.read_text()
    # A claiming to be someone else gains nothing; B is not limited by A.
    assert sign_in_attempts(a, url, 1, forged="198.51.100.99")[0].status_code == 429
    forged = f"198.51.100.99, {CLIENT_B}"
    assert sign_in_attempts(a, url, 1, forged=forged)[0].status_code == 429
    assert sign_in_attempts(b, url, 1)[0].status_code == 400
    assert list(stack["redis"].scan_iter(f"{stack['prefix']}:*"))


def test_https_through_the_proxy_gives_secure_cookie_and_hsts(stack):
    response = visitor(stack, CLIENT_B).get(f"{stack['url']}/en/status")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"
    plain = visitor(stack, CLIENT_B).get(f"{stack['http_url']}/en/status", allow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://ncii.example.org/en/status"


def raw_request(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        return connection.recv(4096)


def test_logs_hold_no_client_address_or_query(stack):
    visitor(stack, CLIENT_A).get(f"{stack['url']}/en/faq?q={SECRET_QUERY}")
    for _, port, _ in stack["gunicorns"]:
        for malformed in [
            f"GET /en/faq?q={SECRET_QUERY} HTTP/1.1 extra\r\n\r\n",
            f"GET /en/faq?q={SECRET_QUERY} HTTP/9.9\r\nHost: x\r\n\r\n",
            f"GET /?q={SECRET_QUERY} HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
            f"GET /{'x' * 9000}?q={SECRET_QUERY} HTTP/1.1\r\n\r\n",
            "\x16\x03\x01 not http at all\r\n\r\n",
        ]:
            assert raw_request(port, malformed.encode()).startswith(b"HTTP/1.1 4")
    logs = [log for _, _, log in stack["gunicorns"]] + sorted(stack["folder"].glob("nginx-*.log"))
    text = "\n".join(log.read_text() for log in logs)
    assert "Invalid request from" in text  # the malformed requests were logged ...
    assert "/en/faq" in text
    assert SECRET_QUERY not in text  # ... without their query string
    assert not re.search(r"127\.0\.0\.\d", text), "a client address reached a log"
