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

Writers that add rows pointing at a ``Signal`` call :func:`lock` first, so that the
purge (:mod:`openncii.retention`), which takes the same lock, cannot delete a hash
between their looking it up and their insert.

The log keeps only what partners need to converge (see :mod:`openncii.retention`):
a record is the current snapshot of its hash, so once a later change of the same hash
has reached every partner, the earlier one is deleted; a purged hash loses all of its
changes. The newest change is never deleted: SQLite gives a new row the largest
``seq`` plus one, and reusing a ``seq`` a partner has passed would hide a change.
"""

from peewee import fn

from .db import database, is_postgres
from .models import Change, in_batches, now

CHANGE_LOG_LOCK = 0x4F4E4349  # "ONCI": advisory lock id for the change log


def lock():
    """Serialise with every other writer of the log until this transaction ends."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOG_LOCK,))


def append(signal_ids, reason):
    """Log a change for each signal id; call inside the writing transaction.

    Returns ``(at, seq)``: the time stamped on the changes and the log's last ``seq``
    before them (every change logged here has a larger one).
    """
    signal_ids = list(dict.fromkeys(signal_ids))
    lock()
    last_at, last_seq = Change.select(fn.MAX(Change.at), fn.MAX(Change.seq)).tuples().get()
    at = max(now(), last_at or 0)
    rows = [{"signal": sid, "at": at, "reason": reason} for sid in signal_ids]
    for batch in in_batches(rows):
        Change.insert_many(batch).execute()
    return at, last_seq or 0
