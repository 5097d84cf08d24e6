"""gunicorn settings (``gunicorn -c gunicorn.conf.py wsgi:app``): logs without visitors.

The access log records neither the client address nor the query string (FAQ searches);
the error log's messages and tracebacks are scrubbed of addresses and query strings
(gunicorn quotes both when it refuses a malformed request). ``X-Forwarded-*`` headers
are left to the app (``OPENNCII_TRUSTED_PROXIES``), so gunicorn trusts none itself.
Command-line flags override any of these (``-b``, ``-w``, ``--access-logfile``).
"""

import os

from gunicorn.glogging import Logger
from openncii.security import ScrubRequestDetails

bind = os.environ.get("OPENNCII_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
forwarded_allow_ips = ""
control_socket_disable = True  # one per user otherwise: two instances would share it
accesslog = "-"
errorlog = "-"
# Method, path without the query, protocol, status, bytes, milliseconds.
access_log_format = '- - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class PrivateLogger(Logger):
    """gunicorn's logger with :class:`ScrubRequestDetails` on the error log."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(ScrubRequestDetails())


logger_class = PrivateLogger


def post_worker_init(worker):
    """Build the partner match index before this worker takes requests."""
    from openncii.views.partner_api import warm_match_index

    warm_match_index(worker.wsgi)
