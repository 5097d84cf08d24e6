"""Partner accounts and their API keys.

A key is ``<key_id>.<secret>``: ``key_id`` is a random public prefix that finds the
partner with one indexed lookup, ``secret`` carries 256 random bits. Only
HMAC-SHA256(pepper, secret) is stored, where the pepper is derived from the app's
``SECRET_KEY`` (so a copy of the database alone cannot be used to check guesses, and
changing ``SECRET_KEY`` invalidates every partner key: rotate them all afterwards).
The secrets are random, not chosen by people, so a fast keyed hash is as safe as a slow
one and keeps each request's check to microseconds; it is compared in constant time.
"""

import hashlib
import hmac
import secrets
from datetime import date

from flask import current_app

from .db import write_transaction
from .models import MatchUsage, Partner, now, today

KEY_ID_BYTES = 8
EPOCH = date(1970, 1, 1).toordinal()
SECRET_BYTES = 32


class PartnerError(ValueError):
    """A partner command that cannot be carried out (unknown or duplicate name)."""


def _pepper():
    secret_key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret_key, b"openncii partner keys", hashlib.sha256).digest()


def _digest(secret):
    return hmac.new(_pepper(), secret.encode(), hashlib.sha256).hexdigest()


def _new_key():
    """(key_id, secret) for a fresh key."""
    return secrets.token_hex(KEY_ID_BYTES), secrets.token_urlsafe(SECRET_BYTES)


def get(name):
    partner = Partner.get_or_none(Partner.name == name)
    if partner is None:
        raise PartnerError(f"No partner named {name!r}.")
    return partner


def create(name):
    """Create a partner; return it with its key (the only time the key is known)."""
    name = name.strip()
    if not name:
        raise PartnerError("A partner needs a name.")
    key_id, secret = _new_key()
    with write_transaction():
        if Partner.get_or_none(Partner.name == name) is not None:
            raise PartnerError(f"A partner named {name!r} already exists.")
        partner = Partner.create(name=name, key_id=key_id, key_hash=_digest(secret))
    return partner, f"{key_id}.{secret}"


def rotate(name):
    """Give a partner a new key; the old one stops working at once."""
    key_id, secret = _new_key()
    with write_transaction():
        partner = get(name)
        partner.key_id, partner.key_hash, partner.updated_at = key_id, _digest(secret), now()
        partner.save()
    return partner, f"{key_id}.{secret}"


def set_active(name, active):
    """Revoke (``active=False``) or restore a partner's access."""
    return _update(name, active=active)


def set_match_feedback(name, on):
    """Whether the partner's MatchHashes matches record ``PendingReview`` on the hash."""
    return _update(name, match_feedback=on)


def _update(name, **fields):
    with write_transaction():
        partner = get(name)
        for field, value in fields.items():
            setattr(partner, field, value)
        partner.updated_at = now()
        partner.save()
    return partner


def match_usage(days):
    """(partner name, day as a date, requests, hashes, matched) for the last ``days`` days."""
    since = today() - days + 1
    rows = (
        MatchUsage.select(
            Partner.name, MatchUsage.day, MatchUsage.requests, MatchUsage.hashes, MatchUsage.matched
        )
        .join(Partner)
        .where(MatchUsage.day >= since)
        .order_by(Partner.name, MatchUsage.day)
        .tuples()
    )
    return [(name, date.fromordinal(EPOCH + day), *counts) for name, day, *counts in rows]


def all_partners():
    return list(Partner.select().order_by(Partner.name))


def authenticate(key):
    """The partner that owns ``key``, or None if the key is not valid.

    A revoked partner's correct key still returns the partner (check ``active``), so
    callers can tell "unknown key" (401) from "access withdrawn" (403).
    """
    key_id, dot, secret = (key or "").partition(".")
    if not dot or not key_id or not secret or len(key_id) > 32:
        return None
    partner = Partner.get_or_none(Partner.key_id == key_id)
    if partner is None or not hmac.compare_digest(partner.key_hash, _digest(secret)):
        return None
    return partner
