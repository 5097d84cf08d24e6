"""Case creations per second under 50 concurrent clients, on SQLite and on PostgreSQL.

For each database the same app is served by gunicorn (2 gthread workers) on 127.0.0.1,
and 50 client threads, each with its own session and CSRF token, first hit a trivial
JSON endpoint of that app (the baseline: routing, sessions, security headers, no
database) and then ``POST /api/cases`` with four hashes each. The figure to read is
the ratio of the two rates, measured in the same run on the same machine; the absolute
numbers depend on the machine. PINs are hashed with the production bcrypt cost, 12,
which dominates the cost of a case; a second pass with cost 4 shows the storage path
(validation, one transaction, the change log) on its own.

    .venv/bin/python bench/cases.py [--clients 50] [--cases 2] [--pings 40] [--rounds 12 4]
    .venv/bin/python bench/cases.py --quick     # a few seconds: does the benchmark still run?
"""

import argparse
import os
import re
import secrets
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests
from databases import databases
from serving import gunicorn

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def bench_app():
    """The app under test plus a trivial JSON endpoint (gunicorn calls this)."""
    from flask import jsonify
    from openncii import create_app

    app = create_app()
    app.add_url_rule("/bench/ping", "bench_ping", lambda: jsonify(ok=True))
    return app


@contextmanager
def served(database_url, rounds, workdir):
    """gunicorn serving :func:`bench_app` on a free 127.0.0.1 port; yields its base URL."""
    environ = {
        "OPENNCII_DATABASE_URL": database_url,
        "OPENNCII_SECRET_KEY": "bench",
        "OPENNCII_RATELIMIT_ENABLED": "0",
        "OPENNCII_BCRYPT_ROUNDS": str(rounds),
    }
    options = ["--workers", "2", "--worker-class", "gthread", "--threads", "25"]
    with gunicorn("cases:bench_app()", workdir, environ, options) as (base_url, _):
        yield base_url


def case_body():
    hashes = [
        {"signalType": "ImagePDQ", "hashValue": secrets.token_hex(32), "quality": 90},
        {"signalType": "VideoMD5", "hashValue": secrets.token_hex(16)},
        {"signalType": "ImagePDQ", "hashValue": secrets.token_hex(32), "frameOf": 1},
        {"signalType": "ImagePDQ", "hashValue": secrets.token_hex(32), "quality": 80},
    ]
    return {"pin": "tulip-river-" + secrets.token_hex(2), "hashes": hashes, "consent": True}


def rate(base_url, clients, per_client, request):
    """Requests per second when ``clients`` threads each send ``per_client`` requests."""
    barrier = threading.Barrier(clients + 1)

    def client():
        try:
            with requests.Session() as session:
                # A fresh connection per request in both phases: gunicorn may drop idle keep-alives.
                session.headers["Connection"] = "close"
                wizard = session.get(f"{base_url}/en/submit", timeout=60).text
                token = CSRF_META.search(wizard).group(1)
                barrier.wait()
                for _ in range(per_client):
                    response = request(session, token)
                    if not response.ok:
                        raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
        except BaseException:
            barrier.abort()  # never leave the other threads waiting for this one
            raise

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(client) for _ in range(clients)]
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            for future in futures:
                future.result()  # raises the client's own error
            raise
        started = time.perf_counter()
        for future in futures:
            future.result()
    return clients * per_client / (time.perf_counter() - started)


def ping(base_url):
    return lambda session, token: session.get(f"{base_url}/bench/ping", timeout=60)


def create(base_url):
    return lambda session, token: session.post(
        f"{base_url}/api/cases", json=case_body(), headers={"X-CSRFToken": token}, timeout=300
    )


def bcrypt_rate(rounds, count=4):
    """PIN hashes per second on one core: the floor under every case creation."""
    import bcrypt

    started = time.perf_counter()
    for _ in range(count):
        bcrypt.hashpw(b"tulip-river-7", bcrypt.gensalt(rounds))
    return count / (time.perf_counter() - started)


def measure(label, database_url, rounds, args, workdir):
    with served(database_url, rounds, workdir) as base_url:
        baseline = rate(base_url, args.clients, args.pings, ping(base_url))
        cases = rate(base_url, args.clients, args.cases, create(base_url))
    print(
        f"{label:<10} bcrypt {rounds:>2} | trivial JSON endpoint {baseline:7.1f} req/s | "
        f"case creation {cases:6.1f} cases/s | ratio {cases / baseline:.4f}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cases", type=int, default=2, help="cases per client")
    parser.add_argument("--pings", type=int, default=40, help="baseline requests per client")
    parser.add_argument(
        "--rounds",
        type=int,
        nargs="+",
        default=[12, 4],
        help="bcrypt costs of the PIN hash to measure",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.cases, args.pings, args.rounds = 4, 1, 5, [4]
    print(
        f"{args.clients} concurrent clients, gunicorn 2 workers x 25 threads, "
        f"{os.cpu_count()} CPUs; bcrypt on one core: "
        + ", ".join(f"cost {rounds} {bcrypt_rate(rounds):.1f}/s" for rounds in args.rounds),
        flush=True,
    )
    for rounds in args.rounds:
        with tempfile.TemporaryDirectory() as workdir:
            for label, url in databases(workdir):
                measure(label, url, rounds, args, workdir)


if __name__ == "__main__":
    main()
