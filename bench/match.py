"""MatchHashes over 1,000,000 active PDQ hashes, beside a NumPy brute-force scan.

Loads N random PDQ hashes as victims' cases into SQLite (as bench/feed.py does), then
prints, each beside its baseline measured in the same run:

1. index build time and memory (the matcher's arrays, and the process's RSS growth);
2. a batch of 1,000 PDQ queries at distance <= 31 (near copies of held hashes at 0-40
   bits, and unrelated ones): queries/s of the index, and of a NumPy scan of every hash
   (on a sample of the queries, same results required), and of faiss-cpu's exact indexes
   when faiss is installed (``pip install faiss-cpu``; not a dependency);
3. p50/p99 latency of a single-hash ``POST /v1/MatchHashes`` through HTTP (gunicorn,
   one worker), beside a trivial JSON endpoint of the same app.

Targets: >= 20x the scan's queries/s with identical results, p99 < 20 ms, < 200 MB.

    .venv/bin/python bench/match.py [--hashes N]
    .venv/bin/python bench/match.py --quick     # 20,000 hashes: a smoke run
"""

import argparse
import statistics
import tempfile
import time

import numpy as np
import requests
from feed import SECRET_KEY, bulk_load
from openncii import create_app, partners
from openncii.hash_index import distances
from openncii.matching import Matcher
from serving import gunicorn

RADIUS = 31


def bench_app():
    """The app under test plus a trivial JSON endpoint (gunicorn calls this)."""
    from flask import jsonify

    app = create_app()
    app.add_url_rule("/bench/ping", "bench_ping", lambda: jsonify(ok=True))
    return app


def queries_near(codes, count, rng):
    """Copies of held hashes with 0-40 bits flipped, and one in ten unrelated."""
    queries = []
    for i in range(count):
        if i % 10 == 9:
            queries.append(rng.integers(0, 256, 32, dtype=np.uint8))
            continue
        bits = np.unpackbits(codes[rng.integers(len(codes))])
        bits[rng.choice(256, i % 41, replace=False)] ^= 1
        queries.append(np.packbits(bits))
    return np.array(queries)


def best_rate(function, items, rounds=3):
    """Items per second of ``function(items)``, best of ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        function(items)
        best = min(best, time.perf_counter() - started)
    return len(items) / best


def rss_mb():
    """This process's resident memory now (not its peak: each step is measured alone)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def in_process(codes, ids, queries, sample):
    """Build, memory, and batch queries/s of the index vs a NumPy scan (and faiss)."""
    before = rss_mb()
    matcher = Matcher()
    started = time.perf_counter()
    index = matcher.indexes()["ImagePDQ"]
    built = time.perf_counter() - started
    print(
        f"index build {built:.2f} s for {len(index):,} hashes; arrays {index.nbytes / 1e6:.0f} MB, "
        f"process RSS +{rss_mb() - before:.0f} MB (target < 200 MB)"
    )
    words = codes.view(np.uint64)

    def scan(batch):
        return [np.flatnonzero(distances(words, q.view(np.uint64)) <= RADIUS) for q in batch]

    def indexed(batch):
        return [index.search(q.tobytes(), RADIUS)[0] for q in batch]

    for expected, got in zip(scan(queries[:sample]), indexed(queries[:sample]), strict=True):
        assert sorted(ids[expected].tolist()) == sorted(got.tolist())
    scan_rate = best_rate(scan, queries[:sample], rounds=1)
    index_rate = best_rate(indexed, queries)
    print(
        f"batch of {len(queries)} PDQ queries at <= {RADIUS}: index {index_rate:,.0f} q/s, "
        f"NumPy scan {scan_rate:,.0f} q/s (on {sample}, same results) "
        f"-> {index_rate / scan_rate:.1f}x (target >= 20x)"
    )
    compare_faiss(codes, queries, scan_rate)


def compare_faiss(codes, queries, scan_rate):
    try:
        import faiss
    except ImportError:
        print("faiss-cpu not installed: no comparison with its indexes")
        return
    for name, index in [
        ("IndexBinaryFlat", faiss.IndexBinaryFlat(256)),
        ("IndexBinaryMultiHash(16x16)", faiss.IndexBinaryMultiHash(256, 16, 16)),
    ]:
        before = rss_mb()
        started = time.perf_counter()
        index.add(codes)
        built = time.perf_counter() - started
        rate = best_rate(
            lambda batch, index=index: index.range_search(batch, RADIUS + 1), queries, 1
        )
        print(
            f"faiss {name}: build {built:.1f} s, RSS +{rss_mb() - before:.0f} MB, "
            f"{rate:,.0f} q/s -> {rate / scan_rate:.1f}x the scan"
        )
        del index


def over_http(database_url, folder, key, queries, requests_count):
    environ = {"OPENNCII_DATABASE_URL": database_url, "OPENNCII_SECRET_KEY": SECRET_KEY}
    headers = {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}
    options = ["--workers", "1", "--timeout", "300"]
    with gunicorn("match:bench_app()", folder, environ, options) as (base_url, _):
        with requests.Session() as session:

            def post(value):
                body = {"hashes": [{"signalType": "ImagePDQ", "hashValue": value}]}
                response = session.post(f"{base_url}/v1/MatchHashes", json=body, headers=headers)
                response.raise_for_status()

            post(queries[0].tobytes().hex())  # builds the index in the worker
            match_ms, ping_ms = [], []
            for query in queries[:requests_count]:
                started = time.perf_counter()
                post(query.tobytes().hex())
                match_ms.append(1000 * (time.perf_counter() - started))
                started = time.perf_counter()
                session.get(f"{base_url}/bench/ping").raise_for_status()
                ping_ms.append(1000 * (time.perf_counter() - started))
    for label, times in [("MatchHashes, one hash", match_ms), ("trivial JSON endpoint", ping_ms)]:
        p99 = statistics.quantiles(times, n=100)[98]
        print(
            f"{label}: p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms "
            f"over {len(times)} requests" + (" (target p99 < 20 ms)" if "Match" in label else "")
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 hashes: a smoke run")
    args = parser.parse_args()
    count, batch, sample, single = (
        (20_000, 100, 20, 50) if args.quick else (args.hashes, 1000, 50, 500)
    )
    rng = np.random.default_rng(19)
    codes = rng.integers(0, 256, (count, 32), dtype=np.uint8)
    ids = np.arange(1, count + 1)
    queries = queries_near(codes, batch, rng)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
        with app.app_context():
            bulk_load(count, (code.tobytes().hex() for code in codes))
            _, key = partners.create("Bench")
            partners.set_match_feedback("Bench", False)  # measure lookups, not verdict writes
            in_process(codes, ids, queries, sample)
        over_http(url, folder, key, queries, single)


if __name__ == "__main__":
    main()
