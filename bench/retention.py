"""What withdrawal's bookkeeping costs: the fetch-position write and the purge.

On SQLite (and PostgreSQL unless --only sqlite), with N hashes in cases of 20:

1. pages through the whole feed in-process twice, as an anonymous reader (the baseline)
   and as a partner whose position is written once per page, and prints the ratio;
2. withdraws a tenth of the cases, moves the clock past the retention period and times
   ``retention.purge`` (expire, Deleted, purge, prune) per hash erased.

    python bench/retention.py [--hashes N] [--only sqlite|postgres]
    python bench/retention.py --quick     # 2,000 hashes: a smoke run of the same path
"""

import tempfile
import time

from databases import databases, hash_run_arguments
from openncii import cases, changelog, create_app, exchange, partners, retention
from openncii.models import Case

PER_CASE = 20
PAGE = 800
DAY = 24 * 3600


def load(count):
    """``count`` hashes in cases of PER_CASE; returns the case ids."""
    ids = []
    for start in range(0, count, PER_CASE):
        hashes = [cases.NewHash("ImagePDQ", f"{start + i:064x}", 90, None) for i in range(PER_CASE)]
        number = cases.create_case("bench-pin-4821", hashes, rounds=4)
        ids.append(Case.get(Case.number == number).id)
    return ids


def sync_seconds(partner=None):
    started, token = time.perf_counter(), None
    while True:
        page = exchange.fetch_page(0, PAGE, token, partner=partner)
        if not page.has_more:
            return time.perf_counter() - started
        token = page.next_page_token


def run(name, url, count):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "BCRYPT_ROUNDS": 4})
    with app.app_context():
        case_ids = load(count)
        partner, _ = partners.create("Bench")
        sync_seconds()  # warm the caches once
        anonymous = min(sync_seconds() for _ in range(3))
        recorded = min(sync_seconds(partner) for _ in range(3))
        pages = -(-count // PAGE)
        print(
            f"{name}: feed of {count:,} hashes, {pages} pages: {anonymous:.2f} s anonymous, "
            f"{recorded:.2f} s recording the partner's position "
            f"= {recorded / anonymous:.3f} x ({(recorded - anonymous) / pages * 1000:.2f} ms/page)"
        )
        withdrawn = case_ids[: max(1, len(case_ids) // 10)]
        started = time.perf_counter()
        for case_id in withdrawn:
            cases.withdraw(case_id)
        withdraw_seconds = time.perf_counter() - started
        sync_seconds(partner)
        now = changelog.now
        changelog.now = lambda: now() + 30 * DAY + 1
        try:
            started = time.perf_counter()
            first = retention.purge(30, prune=True)  # expire: Withdrawn -> Deleted
            sync_seconds(partner)  # the partner fetches Deleted
            cases.create_case(
                "bench-pin-4821", [cases.NewHash("VideoMD5", "f" * 32, None, None)], 4
            )
            second = retention.purge(30, prune=True)  # purge the values
            purge_seconds = time.perf_counter() - started
        finally:
            changelog.now = now
        erased = len(withdrawn) * PER_CASE
        print(
            f"{name}: withdrew {len(withdrawn)} cases in {withdraw_seconds:.2f} s "
            f"({withdraw_seconds / len(withdrawn) * 1000:.1f} ms each); purge: "
            f"{first.deleted:,} Deleted, {second.purged:,} erased, "
            f"{first.pruned + second.pruned:,} superseded changes dropped in {purge_seconds:.2f} s "
            f"({purge_seconds / erased * 1000:.3f} ms per hash)"
        )
        assert second.purged == erased, (second, erased)


def main():
    args = hash_run_arguments(__doc__, hashes=100_000)
    with tempfile.TemporaryDirectory() as folder:
        for label, url in databases(folder, args.only):
            run(label, url, args.hashes)


if __name__ == "__main__":
    main()
