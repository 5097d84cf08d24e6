"""Serving an app under gunicorn on 127.0.0.1 for a benchmark, and stopping it after."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app, folder, environ=None, options=()):
    """Yield ``(base_url, process)`` of gunicorn serving ``app`` (e.g. ``"wsgi:app"``).

    It runs in ``folder``, so the project's gunicorn.conf.py does not apply; the project
    and ``bench/`` are on its Python path.
    """
    port = free_port()
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "bench")]), **(environ or {})
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",
            *options,
            app,
        ],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for_port(port, process):
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")
