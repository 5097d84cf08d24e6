"""gunicorn settings for the fault tests: the project's own, plus a line per loaded worker.

(Settings given on the command line, such as ``--bind``, win over both.)
"""

from pathlib import Path

exec((Path(__file__).resolve().parents[1] / "gunicorn.conf.py").read_text())


def post_worker_init(worker):
    worker.log.info("openncii worker ready %s", worker.pid)
