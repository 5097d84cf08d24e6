"""FAQ page throughput under gunicorn, relative to a hello-world Flask app.

Both apps run under the same gunicorn settings (2 sync workers) on 127.0.0.1 and are
loaded by ``wrk`` (Debian package) in the same run, alternating, so the machine's noise
hits both. Prints requests/s of each and the ratio (target: FAQ >= 0.7 x hello world),
for a first visit (no cookie, whole page) and for a returning visitor (sending the
session cookie the wizard gave it and revalidating its copy with ``If-None-Match``).
Those two are served from the page cache; for scale it also prints FAQ searches that
nobody made before, which are rendered from the cached Markdown each time.

    .venv/bin/python bench/pages.py [--quick]   (--quick: one round of one second)
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from serving import gunicorn

HELLO = """
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "Hello, World!"
"""
# Each request asks for a search no one asked before, so every page is rendered.
NEW_SEARCH_EACH_TIME = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", threads)
end
local count = 0
function request()
  count = count + 1
  return wrk.format("GET", wrk.path .. "?q=pin+" .. prefix .. "x" .. count)
end
"""


def requests_per_second(url, *extra_headers, script=None, seconds=5):
    options = ["--header", "Accept-Encoding: gzip"]
    for header in extra_headers:
        options += ["--header", header]
    if script:
        options += ["--script", script]
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            "16",
            "--duration",
            f"{seconds}s",
            *options,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def response_header(url, name):
    with urllib.request.urlopen(url) as response:
        return response.headers[name]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of one second")
    args = parser.parse_args()
    rounds, seconds = (1, 1) if args.quick else (3, 5)
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install -y wrk")
    two_workers = ["--workers", "2"]
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "hello.py").write_text(HELLO)
        searches = Path(folder, "searches.lua")
        searches.write_text(NEW_SEARCH_EACH_TIME)
        environ = {
            "OPENNCII_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "OPENNCII_SECRET_KEY": "bench",
        }
        with (
            gunicorn("wsgi:app", folder, environ, two_workers) as (faq_url, _),
            gunicorn("hello:app", folder, environ, two_workers) as (hello_url, _),
        ):
            # Warm the page cache in both workers.
            requests_per_second(faq_url + "/en/faq", seconds=seconds)
            cookie = response_header(faq_url + "/en/submit", "Set-Cookie").split(";", 1)[0]
            etag = response_header(faq_url + "/en/faq", "ETag")
            faq, returning, rendered, hello = [], [], [], []
            revalidate = [f"Cookie: {cookie}", f"If-None-Match: {etag}"]
            for _ in range(rounds):
                hello.append(requests_per_second(hello_url + "/", seconds=seconds))
                faq.append(requests_per_second(faq_url + "/en/faq", seconds=seconds))
                returning.append(
                    requests_per_second(faq_url + "/en/faq", *revalidate, seconds=seconds)
                )
                rendered.append(
                    requests_per_second(faq_url + "/en/faq", script=searches, seconds=seconds)
                )
    best_hello = max(hello)
    print(f"hello world: {best_hello:.0f} req/s (best of {rounds} x {seconds}s)")
    for label, rates, target in [
        ("first visit", faq, " (target >= 0.7)"),
        ("returning visitor (304)", returning, " (target >= 0.7)"),
        ("a new search each time, rendered", rendered, ""),
    ]:
        print(
            f"FAQ /en/faq, {label}: {max(rates):.0f} req/s, "
            f"ratio to hello world {max(rates) / best_hello:.2f}{target}"
        )


if __name__ == "__main__":
    main()
