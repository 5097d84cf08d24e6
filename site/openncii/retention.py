"""How long a withdrawn hash stays with us, and the purge that erases it.

Withdrawing a case erases it at once (:func:`openncii.cases.withdraw`): its number, its
PIN hash and its links to hashes are deleted. What partners still need stays for a
while, in three steps, for each hash no active case holds any more:

1. **Withdrawn** (from the withdrawal, for ``retention_days``, default 30): the feed
   publishes the hash as ``Withdrawn``, with the withdrawn case's partner-facing
   reference beside it (a ``WithdrawnHash`` row), so every partner deletes its copy.
2. **Deleted** (from then until every active partner has fetched it, and never more
   than another ``retention_days``): the reference is gone; the feed publishes the bare
   hash as ``Deleted``, the final word on it.
3. **Purged**: the hash value leaves every table: the hash itself, its changes in
   the log, and partners' copies and feedback of it.

A hash an active case still holds is never Deleted or purged; a new case holding a
Deleted hash makes it active again. A partner's own copy (SubmitHashes) keeps nothing
alive: it is purged with the hash (see :mod:`openncii.exchange` for how the feed
publishes partner copies).

The change log also drops every change superseded by a later change of the same hash
that all active partners have fetched: a record is the current snapshot of its hash,
so the earlier change tells nobody anything (:mod:`openncii.changelog`).

Purging runs from ``flask --app wsgi cases purge`` (daily from cron or a systemd
timer, see docs/operating.md) and, in small batches, after each withdrawal and each
time a partner reaches the end of the feed; when nothing is due that costs two
indexed reads. Times are the change log's clock (:func:`openncii.changelog.now`).
"""

from dataclasses import dataclass

from peewee import fn

from . import changelog
from .db import write_transaction
from .models import CaseHash, Change, Feedback, Partner, PartnerHash, Signal, WithdrawnHash

DAY = 24 * 3600
# Hashes per purge transaction, so that a purge never holds the write lock for long
# (a different limit from models.ROWS_PER_STATEMENT, though the same number).
PURGE_BATCH = 500


@dataclass
class Purged:
    """What one purge did, in numbers of hashes (and of changes, for ``pruned``)."""

    expired: int = 0  # Withdrawn references dropped
    deleted: int = 0  # hashes now published as Deleted
    purged: int = 0  # hash values erased from every table
    pruned: int = 0  # superseded changes dropped from the log


def purge(retention_days, prune=False, batch=PURGE_BATCH):
    """Run every step that is due; ``prune`` also drops superseded changes (a full scan)."""
    cutoff = changelog.now() - retention_days * DAY
    done = Purged()
    while True:
        expired, deleted = _expire(cutoff, batch)
        done.expired, done.deleted = done.expired + expired, done.deleted + deleted
        if expired < batch:
            break
    while (purged := _purge_deleted(cutoff, batch)) > 0:
        done.purged += purged
        if purged < batch:
            break
    if prune:
        done.pruned = _prune_superseded()
    return done


def purge_due(retention_days):
    """The opportunistic purge: one batch of each step, only if something is due."""
    cutoff = changelog.now() - retention_days * DAY
    if WithdrawnHash.select().where(WithdrawnHash.withdrawn_at <= cutoff).exists():
        _expire(cutoff, PURGE_BATCH)
    if Signal.select().where(Signal.deleted_at.is_null(False)).exists():
        _purge_deleted(cutoff, PURGE_BATCH)


def _expire(cutoff, batch):
    """Drop withdrawn references older than ``cutoff``; publish orphaned hashes as Deleted.

    Returns (references dropped, hashes now Deleted).
    """
    with write_transaction():
        changelog.lock()
        rows = list(
            WithdrawnHash.select(WithdrawnHash.id, WithdrawnHash.signal)
            .where(WithdrawnHash.withdrawn_at <= cutoff)
            .order_by(WithdrawnHash.withdrawn_at)
            .limit(batch)
            .tuples()
        )
        if not rows:
            return 0, 0
        WithdrawnHash.delete().where(WithdrawnHash.id.in_([row_id for row_id, _ in rows])).execute()
        signal_ids = list({sid for _, sid in rows})
        held = {
            sid
            for (sid,) in CaseHash.select(CaseHash.signal)
            .where(CaseHash.signal.in_(signal_ids))
            .union(
                WithdrawnHash.select(WithdrawnHash.signal).where(
                    WithdrawnHash.signal.in_(signal_ids)
                )
            )
            .tuples()
        }
        orphans = [sid for sid in signal_ids if sid not in held]
        at, _ = changelog.append(signal_ids, "retention")
        if orphans:
            Signal.update(deleted_at=at).where(Signal.id.in_(orphans)).execute()
    return len(rows), len(orphans)


def reached_by_all_partners():
    """The largest seq every active partner has fetched (the newest, if none is active)."""
    newest = Change.select(fn.MAX(Change.seq)).scalar() or 0
    slowest = Partner.select(fn.MIN(Partner.fetched_seq)).where(Partner.active == True).scalar()  # noqa: E712
    return (newest if slowest is None else min(slowest, newest)), newest


def _purge_deleted(cutoff, batch):
    """Erase Deleted hashes that every active partner has fetched, or Deleted before ``cutoff``.

    The hash holding the newest change waits for the next purge (see
    :mod:`openncii.changelog`). Returns how many hashes were erased.
    """
    with write_transaction():
        changelog.lock()
        reached, newest = reached_by_all_partners()
        latest = fn.MAX(Change.seq)
        candidates = (
            Signal.select(Signal.id, Signal.deleted_at, latest)
            .join(Change, on=(Change.signal == Signal.id))
            .where(
                Signal.deleted_at.is_null(False)
                & ~fn.EXISTS(CaseHash.select(1).where(CaseHash.signal == Signal.id))
            )
            .group_by(Signal.id, Signal.deleted_at)
            .order_by(Signal.deleted_at)
            .limit(batch)
            .tuples()
        )
        ids = [
            sid
            for sid, deleted_at, last in candidates
            if last < newest and (last <= reached or deleted_at <= cutoff)
        ]
        if ids:
            for model in (Feedback, PartnerHash, WithdrawnHash):
                model.delete().where(model.signal.in_(ids)).execute()
            Change.delete().where(Change.signal.in_(ids)).execute()
            Signal.delete().where(Signal.id.in_(ids)).execute()
    return len(ids)


def _prune_superseded():
    """Drop changes followed by a later change of the same hash that every partner has."""
    with write_transaction():
        changelog.lock()
        reached, _ = reached_by_all_partners()
        later = Change.alias("later")
        return (
            Change.delete()
            .where(
                fn.EXISTS(
                    later.select(1).where(
                        (later.signal == Change.signal)
                        & (later.seq > Change.seq)
                        & (later.seq <= reached)
                    )
                )
            )
            .execute()
        )
