"""Rate limits, keyed without ever keeping a visitor's address.

:data:`limiter` counts requests per :func:`client_key`: an HMAC of the client address
under a random key that exists only in this process's memory and is replaced every
UTC day, so yesterday's counts can't be linked to today's and nothing on disk or in a
log can be turned back into an address. Other blueprints may reuse :data:`limiter`
with their own ``key_func`` (e.g. per partner).

``RATELIMIT_ENABLED`` (default true) switches limits off for one app, e.g. in tests.
Counters live in memory (``memory://``): with several worker processes each one
counts on its own, which only makes the limits looser by that factor.
"""

import hashlib
import hmac
import secrets
import threading
import time

from flask import current_app, request
from flask_limiter import Limiter

_keys = {}  # UTC day number -> secret; only today's is kept
_keys_lock = threading.Lock()


def _key_of_the_day():
    today = int(time.time() // 86400)
    with _keys_lock:
        if today not in _keys:
            _keys.clear()
            _keys[today] = secrets.token_bytes(32)
        return _keys[today]


def client_key():
    """A daily-rotating keyed hash of the client address: stable for a day, not reversible."""
    address = (request.remote_addr or "").encode()
    return hmac.new(_key_of_the_day(), address, hashlib.sha256).hexdigest()[:32]


limiter = Limiter(
    key_func=client_key, storage_uri="memory://", headers_enabled=True, strategy="fixed-window"
)


@limiter.request_filter
def _disabled_for_this_app():
    return not current_app.config["RATELIMIT_ENABLED"]


def init_app(app):
    """Attach the limiter; ``RATELIMIT_ENABLED`` is honoured per app by the filter above.

    Flask-Limiter keeps its on/off switch on the (process-wide) extension object, so it
    is always initialised switched on, and each app's own setting is read per request.
    """
    enabled = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = enabled
