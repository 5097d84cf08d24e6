"""What the lockout costs a sign-in: ``cases.sign_in`` against a bare bcrypt check.

Both at the same bcrypt cost, in one process, on SQLite and on PostgreSQL. A sign-in
also counts the try in two buckets (one write transaction) before its bcrypt check;
the ratio shows what that adds. Each try comes from a new visitor, so none is paused.

    .venv/bin/python bench/sign_in.py [--tries 20] [--rounds 12 4]
    .venv/bin/python bench/sign_in.py --quick     # a smoke run
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import bcrypt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import databases  # noqa: E402

HASH = {"signalType": "VideoMD5", "hashValue": "0" * 32}


def measure(database_url, rounds, tries):
    """(seconds per bare bcrypt check, seconds per wrong-PIN sign-in to a real case).

    Taken in turn, one of each per try, so that a busy machine slows both alike.
    """
    from openncii import cases, create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    body = {"pin": "tulip-river-7", "consent": True, "hashes": [HASH]}
    bare = signing_in = 0.0
    with app.app_context():
        number = cases.create_case(*cases.validate_submission(body, 20), rounds)
        stored = bcrypt.hashpw(b"tulip-river-7", bcrypt.gensalt(rounds))
        for visitor in range(tries):
            started = time.perf_counter()
            bcrypt.checkpw(b"not-my-pin-9", stored)
            bare += time.perf_counter() - started
            started = time.perf_counter()
            cases.sign_in(number, "not-my-pin-9", f"visitor-{visitor}", rounds)
            signing_in += time.perf_counter() - started
    return bare / tries, signing_in / tries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--rounds", type=int, nargs="+", default=[12, 4])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.tries, args.rounds = 3, [4]
    for rounds in args.rounds:
        with tempfile.TemporaryDirectory() as workdir:
            measured = {
                label: measure(url, rounds, args.tries) for label, url in databases(workdir)
            }
        for label, (bare, signing_in) in measured.items():
            print(
                f"{label:<10} bcrypt {rounds:>2} | bare check {bare * 1000:8.2f} ms | "
                f"sign-in {signing_in * 1000:8.2f} ms | ratio {signing_in / bare:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
