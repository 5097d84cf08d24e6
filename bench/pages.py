"""FAQ page throughput under gunicorn, relative to a hello-world Flask app.

Both apps run under the same gunicorn settings (2 sync workers) on 127.0.0.1 and are
loaded by ``wrk`` (Debian package) in the same run, alternating, so the machine's noise
hits both. Prints requests/s of each and the ratio (target: FAQ >= 0.7 x hello world).
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from serving import gunicorn

HELLO = '''
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "Hello, World!"
'''
ROUNDS = 3
SECONDS = 5


def requests_per_second(url):
    output = subprocess.run(
        ["wrk", "--threads", "2", "--connections", "16", "--duration", f"{SECONDS}s",
         "--header", "Accept-Encoding: gzip", url],
        capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main():
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install -y wrk")
    two_workers = ["--workers", "2"]
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "hello.py").write_text(HELLO)
        environ = {"OPENNCII_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                   "OPENNCII_SECRET_KEY": "bench"}
        with gunicorn("wsgi:app", folder, environ, two_workers) as (faq_url, _), \
                gunicorn("hello:app", folder, environ, two_workers) as (hello_url, _):
            requests_per_second(faq_url + "/en/faq")  # warm the page cache in both workers
            faq, hello = [], []
            for _ in range(ROUNDS):
                hello.append(requests_per_second(hello_url + "/"))
                faq.append(requests_per_second(faq_url + "/en/faq"))
    best_faq, best_hello = max(faq), max(hello)
    print(f"hello world: {best_hello:.0f} req/s (best of {ROUNDS} x {SECONDS}s)")
    print(f"FAQ /en/faq: {best_faq:.0f} req/s")
    print(f"ratio FAQ / hello world: {best_faq / best_hello:.2f} (target >= 0.7)")


if __name__ == "__main__":
    main()
