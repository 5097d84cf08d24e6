"""Rate limits, keyed without ever keeping a visitor's address.

:data:`limiter` counts requests per :func:`client_key`: an HMAC of the client's network
(the address itself for IPv4, its /64 for IPv6, where one household or phone holds a
whole /64) under a key of the UTC day derived from ``SECRET_KEY``. Every worker and
machine sharing the secret key therefore counts the same visitor under the same name,
yesterday's names can't be linked to today's, and nothing in the counter store or a
log can be turned back into an address without the secret key. Other blueprints may
reuse :data:`limiter` with their own ``key_func`` (e.g. per partner).

The address is the one the last trusted proxy saw (``TRUSTED_PROXIES`` hops of
``X-Forwarded-For``, see :mod:`openncii.proxy`): behind nginx every visitor still
has their own bucket, and a forged header adds nothing a client doesn't already have.

Each app keeps its own switch (``RATELIMIT_ENABLED``) and counters
(``RATELIMIT_STORAGE_URL``: ``memory://`` for one process, ``redis://host:6379/0`` to
share them between workers and machines, keys prefixed ``RATELIMIT_STORAGE_PREFIX``).
Flask-Limiter keeps both on its one process-wide object, so :class:`AppLimiter` reads
them from the app of the request instead.
"""

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass

from flask import current_app, has_app_context, request
from flask_limiter import Limiter
from limits.storage import Storage, storage_from_string
from limits.strategies import STRATEGIES, RateLimiter

STRATEGY = "fixed-window"
IPV6_NETWORK_BITS = 64


def client_network(address):
    """The part of an address that names one visitor: IPv4 as is, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a unix socket, a test client): use it as given
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_NETWORK_BITS}", strict=False))
    return str(ip)


def key_of_the_day(secret, day):
    """The HMAC key for UTC day number ``day``: the same in every process sharing ``secret``."""
    return hmac.new(secret.encode(), f"rate-limit key {day}".encode(), hashlib.sha256).digest()


def client_key():
    """A daily-rotating keyed hash of the client's network: stable for a day, not reversible."""
    day = int(time.time() // 86400)
    key = key_of_the_day(current_app.config["SECRET_KEY"], day)
    network = client_network(request.remote_addr or "").encode()
    return hmac.new(key, network, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Counters:
    """One app's rate-limit storage and the strategy counting in it."""

    storage: Storage
    strategy: RateLimiter


class AppLimiter(Limiter):
    """Flask-Limiter with the switch and the counters taken from the request's app."""

    @property
    def enabled(self):
        return not has_app_context() or current_app.config["RATELIMIT_ENABLED"]

    @enabled.setter
    def enabled(self, value):
        """Ignored: Flask-Limiter would make the last app initialised decide for all."""

    @property
    def storage(self):
        return current_app.extensions["openncii_limits"].storage

    @property
    def limiter(self):
        return current_app.extensions["openncii_limits"].strategy


# Flask-Limiter builds a storage of its own in ``init_app``; ``memory://`` keeps that
# unused one cheap (and quiet): requests count in the app's :class:`Counters`.
# If the counters' store is unreachable, requests go through uncounted (and Flask-Limiter
# logs it, with no request details): people in crisis must still reach their case, and
# the PIN lockout, kept in the database, still holds.
limiter = AppLimiter(
    key_func=client_key,
    storage_uri="memory://",
    headers_enabled=True,
    strategy=STRATEGY,
    swallow_errors=True,
)


def counters(url, prefix):
    storage = storage_from_string(url or "memory://", key_prefix=prefix)
    return Counters(storage, STRATEGIES[STRATEGY](storage))


def init_app(app):
    app.extensions["openncii_limits"] = counters(
        app.config["RATELIMIT_STORAGE_URL"], app.config["RATELIMIT_STORAGE_PREFIX"]
    )
    limiter.init_app(app)
