"""Server-side, revocable holds of a browser on one case.

Two purposes, one table (:class:`~openncii.models.CaseSession`):

- ``signed_in``: the browser signed in with number + PIN. Lasts SIGNED_IN_SECONDS
  (15 minutes) from sign-in; sign-out, quick exit and withdrawal delete it at once.
- ``new_case``: the one-time hand-over of a new case number to the confirmation page,
  for NEW_CASE_SECONDS (30 minutes) or until the person says they saved it.

The browser's (signed) session cookie holds only a random token. The table keeps its
SHA-256, so neither the cookie nor a copy of the database shows a case number, and a
copied cookie stops working the moment its row is gone. No Flask here.
"""

import hashlib
import secrets
import time

from .models import Case, CaseSession

SIGNED_IN_SECONDS = 15 * 60
NEW_CASE_SECONDS = 30 * 60
LIFETIMES = {"signed_in": SIGNED_IN_SECONDS, "new_case": NEW_CASE_SECONDS}


def _hash(token):
    return hashlib.sha256(str(token).encode()).hexdigest()


def start(case_id, purpose):
    """A new session of ``purpose`` on the case; returns the token for the cookie."""
    now = int(time.time())
    CaseSession.delete().where(CaseSession.expires_at <= now).execute()
    token = secrets.token_urlsafe(32)
    CaseSession.create(
        token_hash=_hash(token),
        case=case_id,
        purpose=purpose,
        expires_at=now + LIFETIMES[purpose],
    )
    return token


def find(token, purpose):
    """``(session, expired)``: the live session this token opens, else ``None``.

    ``expired`` is True when the token's session just ran out of time (its row is
    then deleted); a token ended on purpose, or never valid, gives ``(None, False)``.
    """
    if not token:
        return None, False
    found = CaseSession.get_or_none(
        (CaseSession.token_hash == _hash(token)) & (CaseSession.purpose == purpose)
    )
    if found is None:
        return None, False
    if found.expires_at <= time.time():
        found.delete_instance()
        return None, True
    return found, False


def number_of(session):
    """The canonical case number a session is about."""
    return Case.select(Case.number).where(Case.id == session.case_id).scalar()


def mark_emailed(session):
    """Record that the new case number was e-mailed: this happens once per case."""
    changed = (
        CaseSession.update(emailed=True)
        .where((CaseSession.id == session.id) & ~CaseSession.emailed)
        .execute()
    )
    return bool(changed)


def end(token):
    """End the session this token opens, whatever its purpose (nothing if none)."""
    if token:
        CaseSession.delete().where(CaseSession.token_hash == _hash(token)).execute()


def end_all(case_id):
    """End every session on the case, in every browser (after withdrawal)."""
    CaseSession.delete().where(CaseSession.case == case_id).execute()
