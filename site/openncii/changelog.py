"""Appending to the partner feed's change log.

Every write that changes what partners see (a case created or withdrawn, a partner's
feedback, a partner-submitted hash) calls :func:`append` inside its own transaction.

Exactness: readers page through ``Change`` by ``seq``. That is only safe if no change
with a smaller ``seq`` can become visible after a larger one. We get that by
serialising appenders until commit: SQLite allows one writer at a time (our writes use
``BEGIN IMMEDIATE``), and on PostgreSQL :func:`append` takes a transaction-scoped
advisory lock before drawing sequence numbers, held until the transaction ends, so
sequence order is commit order. The same lock makes ``at`` (whole seconds) monotonic:
each append uses ``max(now, last at)``.
"""

from peewee import fn

from .db import database, is_postgres
from .models import Change, now

CHANGE_LOG_LOCK = 0x4F4E4349  # "ONCI": advisory lock id for the change log


def append(signal_ids, reason):
    """Log a change for each signal id; call inside the writing transaction."""
    signal_ids = list(dict.fromkeys(signal_ids))
    if not signal_ids:
        return
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOG_LOCK,))
    last = Change.select(fn.MAX(Change.at)).scalar() or 0
    at = max(now(), last)
    rows = [{"signal": sid, "at": at, "reason": reason} for sid in signal_ids]
    for start in range(0, len(rows), 500):
        Change.insert_many(rows[start : start + 500]).execute()
