"""Tools for the fault tests: real gunicorn processes, and a TCP proxy we can break.

:class:`Gunicorn` runs ``gunicorn wsgi:app`` (the production entry point) with its own
worker count on a socket bound here (so port 0 works), and tells when every worker has
loaded the app (``tests/gunicorn_ready.py`` logs a line per worker).

:class:`Proxy` forwards TCP connections from 127.0.0.1 to a server. It can drop the
answers to ``POST /api/cases`` *after* the server has sent them (so the server
committed, and the client sees a reset connection), and it can be cut (every
connection reset, new ones refused with a reset) and restored: that is how the tests
make PostgreSQL unreachable without touching the machine's server.
"""

import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
READY_CONFIG = Path(__file__).with_name("gunicorn_ready.py")
VENV_BIN = Path(sys.executable).parent


class Gunicorn:
    """``gunicorn wsgi:app`` with ``workers`` gthread workers and the given environment."""

    def __init__(self, env, workers=2, threads=8, log=None):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.workers = workers
        self.log = log or open(os.devnull, "w")
        command = [
            str(VENV_BIN / "gunicorn"),
            "--config",
            str(READY_CONFIG),
            "--bind",
            f"fd://{self.listener.fileno()}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "wsgi:app",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env={**os.environ, **env},
            pass_fds=[self.listener.fileno()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines = []
        self.ready = threading.Condition()
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for line in self.process.stderr:
            self.log.write(line)
            with self.ready:
                self.lines.append(line)
                self.ready.notify_all()
        with self.ready:
            self.ready.notify_all()

    def ready_workers(self):
        return [line.split()[-1] for line in self.lines if "openncii worker ready" in line]

    def wait_ready(self, count=None, deadline=120):
        """True once ``count`` workers (default: all) have loaded the app; False if
        gunicorn exits first (e.g. "Worker failed to boot") or nothing comes in time."""
        count = self.workers if count is None else count
        end = time.monotonic() + deadline
        with self.ready:
            while len(self.ready_workers()) < count:
                if self.process.poll() is not None or time.monotonic() > end:
                    return False
                self.ready.wait(timeout=1)
        return True

    def worker_pids(self):
        """The live workers (children of the gunicorn master)."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        found = set()
        for task in tasks.iterdir():
            found.update(int(pid) for pid in (task / "children").read_text().split())
        return sorted(found)

    def kill_worker(self, pid):
        os.kill(pid, signal.SIGKILL)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=10)
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def reset(sock):
    """Close ``sock`` with a TCP reset (RST), as a dropped connection looks to a client."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class Proxy:
    """A TCP proxy from 127.0.0.1:<port> to ``upstream`` (host, port) that we can break."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.connections = set()
        self.is_cut = False
        self.dropping = False
        self.dropped = 0  # answers dropped so far
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_case_answers(self, dropping=True):
        """From now on (until called with False), once the server has answered a
        ``POST /api/cases``, reset the client's connection instead of passing the answer on.

        Every copy is dropped, including those a browser re-sends by itself when a
        reused connection breaks.
        """
        with self.lock:
            self.dropping = dropping

    def cut(self):
        """Break every connection; from now on refuse new ones (with a reset)."""
        with self.lock:
            self.is_cut = True
            connections = list(self.connections)
        for sock in connections:  # wakes its relay, which then closes both ends
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def restore(self):
        with self.lock:
            self.is_cut = False

    def close(self):
        self.stopping = True
        self.cut()
        self.listener.close()

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                refused = self.is_cut
            if refused:
                reset(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                reset(client)
                continue
            server.settimeout(None)
            with self.lock:
                self.connections.update((client, server))
            threading.Thread(target=self._relay, args=(client, server), daemon=True).start()

    def _relay(self, client, server):
        """Copy bytes both ways (one thread, so a reset is never raced by a blocked read)."""
        dropping_this = False
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, server)
            selector.register(server, selectors.EVENT_READ, client)
            try:
                while True:
                    for key, _ in selector.select():
                        source, target = key.fileobj, key.data
                        data = source.recv(65536)
                        if not data:
                            raise ConnectionError
                        if source is client and b"POST /api/cases " in data:
                            with self.lock:
                                dropping_this = self.dropping
                        if source is server and dropping_this:
                            # The server has answered, so it has committed; the client
                            # only sees its connection reset.
                            with self.lock:
                                self.dropped += 1
                            raise ConnectionError
                        target.sendall(data)
            except (OSError, ValueError):
                pass
        with self.lock:
            self.connections.difference_update((client, server))
        reset(client)
        server.close()
