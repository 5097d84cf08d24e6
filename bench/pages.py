"""FAQ page throughput under gunicorn, relative to a hello-world Flask app.

Both apps run under the same gunicorn settings (2 sync workers) on 127.0.0.1 and are
loaded by ``wrk`` (Debian package) in the same run, alternating, so the machine's noise
hits both. Prints requests/s of each and the ratio (target: FAQ >= 0.7 x hello world).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELLO = '''
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "Hello, World!"
'''
ROUNDS = 3
SECONDS = 5


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(module, folder, env):
    """gunicorn with 2 sync workers, run from ``folder`` (so no gunicorn.conf.py applies)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--pythonpath", str(ROOT), module],
        cwd=folder, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn for {module} did not start")


def requests_per_second(url):
    output = subprocess.run(
        ["wrk", "--threads", "2", "--connections", "16", "--duration", f"{SECONDS}s",
         "--header", "Accept-Encoding: gzip", url],
        capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main():
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "hello.py").write_text(HELLO)
        env = dict(os.environ, OPENNCII_DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
                   OPENNCII_SECRET_KEY="bench")
        faq_server, faq_url = start_gunicorn("wsgi:app", folder, env)
        hello_server, hello_url = start_gunicorn("hello:app", folder, env)
        try:
            requests_per_second(faq_url + "/en/faq")  # warm the FAQ cache in both workers
            faq, hello = [], []
            for _ in range(ROUNDS):
                hello.append(requests_per_second(hello_url + "/"))
                faq.append(requests_per_second(faq_url + "/en/faq"))
        finally:
            for server in (faq_server, hello_server):
                server.terminate()
                server.wait()
    best_faq, best_hello = max(faq), max(hello)
    print(f"hello world: {best_hello:.0f} req/s (best of {ROUNDS} x {SECONDS}s)")
    print(f"FAQ /en/faq: {best_faq:.0f} req/s")
    print(f"ratio FAQ / hello world: {best_faq / best_hello:.2f} (target >= 0.7)")


if __name__ == "__main__":
    main()
