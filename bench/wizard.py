"""Benchmark of the case-creation wizard in Debian's Chromium.

Prints the seconds from choosing 20 twelve-megapixel JPEGs in the wizard (/en/submit)
to every file card being ready, beside the seconds Python takes to decode and hash the
same files with the reference `pdqhash` (C++ core) in the same run, and their ratio.
The wizard hashes in Web Workers, a few files at once (one per core, up to 4); the
Python baseline runs on one core. As a check, it also prints the largest Hamming
distance between the hashes the wizard shows and the reference's, and the page's peak
memory: the largest resident size of Chromium's renderer processes (the page and its
workers) sampled while the files are hashed.

Run: .venv/bin/python bench/wizard.py   (after `make setup`; writes ~60 MB to /tmp)
     .venv/bin/python bench/wizard.py --quick   (3 small files, a few seconds: a smoke run)
"""

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the tests' Chromium set-up)
from hashing_reference import distance, photo, reference_hash  # noqa: E402
from openncii import create_app  # noqa: E402

FULL = (20, 4000, 3000)  # files, width, height
QUICK = (3, 800, 600)
CONSENTS = ["me", "adult", "intimate", "partners"]


def write_jpegs(folder, files, width, height):
    """Generated photos with enough detail for the wizard (PDQ quality 50 or more)."""
    rng = np.random.default_rng(12)
    paths = []
    while len(paths) < files:
        pixels = photo(rng, width, height)
        if reference_hash(pixels)[1] < 50:
            continue
        path = folder / f"photo-{len(paths) + 1:02d}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        paths.append(path)
    return paths


def reference_seconds(paths):
    """Decode with Pillow and hash with pdqhash, one file after another."""
    start = time.perf_counter()
    hashes = []
    for path in paths:
        with Image.open(path) as image:
            hashes.append(reference_hash(np.asarray(image.convert("RGB")))[0])
    return time.perf_counter() - start, hashes


def serve():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    folder = tempfile.mkdtemp(prefix="openncii-bench-")
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "RATELIMIT_ENABLED": False,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def all_descendants(pid):
    """The ids of every process under ``pid``."""
    children = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as file:
                parent = int(file.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def renderer_bytes():
    """Resident bytes of this process's Chromium renderers (pages and their workers)."""
    total = 0
    for pid in all_descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                if b"--type=renderer" not in file.read():
                    continue
            with open(f"/proc/{pid}/status") as file:
                rss = next(line for line in file if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
        total += int(rss.split()[1]) * 1024
    return total


class PeakMemory:
    """Samples renderer_bytes() in a thread until stopped; keeps the largest."""

    def __init__(self):
        self.peak = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stopped.wait(0.05):
            self.peak = max(self.peak, renderer_bytes())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()


def wizard_seconds(base, paths):
    """Seconds from choosing the files to all cards ready, the renderers' peak bytes
    meanwhile, and the hashes step 3 lists."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/en/submit")
        for key in CONSENTS:
            page.get_by_test_id(f"consent-{key}").check()
        page.locator('section[data-step="1"] form > .actions > button').click()
        cards = page.get_by_test_id("file-card")
        with PeakMemory() as memory:
            start = time.perf_counter()
            page.get_by_test_id("file-input").set_input_files([str(path) for path in paths])
            expect(cards).to_have_count(len(paths))
            expect(page.locator('[data-testid="file-card"][data-state="hashing"]')).to_have_count(
                0, timeout=600_000
            )
            seconds = time.perf_counter() - start
        states = [card.get_attribute("data-state") for card in cards.all()]
        page.locator('section[data-step="2"] form > .actions > button').click()
        listed = page.locator("[data-hash-list] li").all_text_contents()
        browser.close()
    assert states == ["ready"] * len(paths), states
    return seconds, memory.peak, [text.split()[-1] for text in listed]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 small files: a smoke run")
    files, width, height = QUICK if parser.parse_args().quick else FULL
    with tempfile.TemporaryDirectory(prefix="openncii-bench-") as folder:
        print(f"Writing {files} JPEGs of {width}x{height} pixels...", flush=True)
        paths = write_jpegs(Path(folder), files, width, height)
        server, base = serve()
        try:
            browser_time, peak, browser_hashes = wizard_seconds(base, paths)
        finally:
            server.shutdown()
        python_time, python_hashes = reference_seconds(paths)
    worst = max(distance(a, b) for a, b in zip(browser_hashes, python_hashes, strict=True))
    for label, seconds in [
        ("wizard, choosing to all ready:    ", browser_time),
        ("pdqhash in Python (Pillow decode):", python_time),
    ]:
        print(f"{label} {seconds:6.2f} s ({seconds / files:.2f} s a file)")
    print(f"ratio wizard / pdqhash:            {browser_time / python_time:6.2f}x")
    print(f"peak memory of the page (renderer processes, RSS): {peak / 2**20:.0f} MiB")
    print(f"largest Hamming distance wizard vs reference: {worst}")


if __name__ == "__main__":
    main()
