"""Near-duplicate lookup for partners: "does this upload match any active hash?"

No Flask here; ``views/partner_api.py`` serves it as ``POST /v1/MatchHashes``.

Each process keeps a :class:`Matcher`: in-memory indexes (:mod:`openncii.hash_index`)
of every *active* victim hash (held by at least one case that is not withdrawn),
built from the database the first time it is needed (gunicorn's ``post_worker_init``
builds it before a worker takes requests) and kept up to date from the change log --
the same ``seq`` cursor the partner feed uses. Before answering, a matcher whose last
look at the log is older than :data:`REFRESH_SECONDS` reads the changes since its cursor:
hashes of new cases join the index, withdrawn ones leave it. So a new case matches
within ``REFRESH_SECONDS`` in every worker. Each candidate the index finds is then read
back from the database with its feed record, and only hashes whose ``hashStatus`` is
``Active`` *at that moment* are returned: a withdrawal stops matching at once, whatever
the index still holds. VideoMD5 hashes are matched exactly, PDQ hashes within the
distance asked for.

Privacy of the platform's users: the hashes a partner asks about are compared in memory
and forgotten -- never put in an SQL statement, so not even a database's debug log holds
them. Nothing stores or logs them; the only trace of a request is a count per
partner per day (:class:`~openncii.models.MatchUsage`). A match may record
``PendingReview`` from that partner on the matched hash (see
:func:`openncii.exchange.mark_pending_review`), so the victim's case page can say a
platform found it, when the partner's ``match_feedback`` switch is on.
"""

import threading
import time

import numpy as np

from . import exchange
from .db import database, is_postgres, write_transaction
from .hash_index import MD5Index, PDQIndex, codes_from_hex
from .models import Case, CaseHash, Change, MatchUsage, Signal, today

REFRESH_SECONDS = 2.0
REBUILD_AFTER_CHANGES = 50_000  # a longer backlog is read by building afresh
INDEXES = {"ImagePDQ": PDQIndex, "VideoMD5": MD5Index}


def _snapshot():
    return database.atomic("REPEATABLE READ") if is_postgres() else database.atomic()


def _active(signal_type):
    """(id, value) of the hashes of this type that an active case holds."""
    return (
        Signal.select(Signal.id, Signal.value)
        .join(CaseHash, on=(CaseHash.signal == Signal.id))
        .join(Case, on=(CaseHash.case == Case.id))
        .where(Signal.signal_type == signal_type, Case.status == "active")
        .distinct()
    )


def _index_of(signal_type, query, chunk=50_000):
    """An index of the (id, value) rows ``query`` selects, read a chunk at a time."""
    kind = INDEXES[signal_type]
    cursor = database.execute(query)
    ids, codes = [], []
    while rows := cursor.fetchmany(chunk):
        ids.append(np.fromiter((sid for sid, _ in rows), dtype=np.int64, count=len(rows)))
        codes.append(codes_from_hex((value for _, value in rows), kind.width))
    if not ids:
        return kind.empty()
    return kind(np.concatenate(ids), np.concatenate(codes))


class Matcher:
    """One process's view of the active hashes (thread-safe)."""

    def __init__(self, refresh_seconds=REFRESH_SECONDS, clock=time.monotonic):
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._indexes = None  # {signal type: index}
        self._cursor = 0  # last change seq read
        self._checked_at = 0.0

    def indexes(self):
        """{signal type: index}, brought up to date if last checked too long ago."""
        with self._lock:
            if self._indexes is None:
                self._build()
            elif self._clock() - self._checked_at >= self.refresh_seconds:
                self._catch_up()
            return self._indexes

    def _build(self):
        with _snapshot():
            cursor = Change.select(Change.seq).order_by(Change.seq.desc()).limit(1).scalar() or 0
            indexes = {kind: _index_of(kind, _active(kind)) for kind in INDEXES}
        self._indexes, self._cursor, self._checked_at = indexes, cursor, self._clock()

    def _catch_up(self):
        with _snapshot():
            last = Change.select(Change.seq).order_by(Change.seq.desc()).limit(1).scalar() or 0
            in_range = (Change.seq > self._cursor) & (Change.seq <= last)
            backlog = Change.select().where(in_range).count()
            if backlog <= REBUILD_AFTER_CHANGES:
                changes = self._changes(in_range)
        if backlog > REBUILD_AFTER_CHANGES:
            self._build()
            return
        indexes = dict(self._indexes)
        for kind, (changed, active) in changes.items():
            index = indexes[kind]
            index.discard([sid for sid in changed if sid not in active])
            new = [(sid, value) for sid, value in active.items() if not index.contains(sid)]
            if new:
                codes = codes_from_hex((value for _, value in new), index.width)
                index.add([sid for sid, _ in new], codes)
            if index.pending > max(10_000, len(index) // 10):
                indexes[kind] = index.compacted()
        self._indexes, self._cursor, self._checked_at = indexes, last, self._clock()

    @staticmethod
    def _changes(in_range):
        """Per signal type: the hashes changed in ``in_range`` of the log, and {id: value}
        of those an active case holds now."""
        changed = {kind: set() for kind in INDEXES}
        for sid, kind in (
            Change.select(Change.signal, Signal.signal_type).join(Signal).where(in_range).tuples()
        ):
            changed[kind].add(sid)
        return {
            kind: (ids, dict(_active(kind).where(Signal.id.in_(list(ids))).tuples()) if ids else {})
            for kind, ids in changed.items()
        }

    def match(self, partner, queries):
        """Per query, the active hashes it matches, nearest first (see the module doc)."""
        indexes = self.indexes()
        hits = [
            indexes[query.signal_type].search(bytes.fromhex(query.hash_value), query.max_distance)
            for query in queries
        ]
        hits = [list(zip(ids.tolist(), found.tolist(), strict=True)) for ids, found in hits]
        records = exchange.current_records({sid for found in hits for sid, _ in found})
        active = {sid for sid, record in records.items() if record["hashStatus"] == "Active"}
        with write_transaction():
            marked = (
                exchange.mark_pending_review(partner, sorted(active))
                if partner.match_feedback
                else []
            )
            matched = sum(1 for found in hits if any(sid in active for sid, _ in found))
            _count(partner, len(queries), matched)
        records.update(exchange.current_records(marked))  # now with this partner's verdict
        return [
            {
                "signalType": query.signal_type,
                "hashValue": query.hash_value,
                "matches": sorted(
                    ({**records[sid], "distance": d} for sid, d in found if sid in active),
                    key=lambda match: (match["distance"], match["hashValue"]),
                ),
            }
            for query, found in zip(queries, hits, strict=True)
        ]


def _count(partner, hashes, matched):
    """Add one request to the partner's figures for today (UTC)."""
    (
        MatchUsage.insert(partner=partner, day=today(), requests=1, hashes=hashes, matched=matched)
        .on_conflict(
            conflict_target=[MatchUsage.partner, MatchUsage.day],
            update={
                MatchUsage.requests: MatchUsage.requests + 1,
                MatchUsage.hashes: MatchUsage.hashes + hashes,
                MatchUsage.matched: MatchUsage.matched + matched,
            },
        )
        .execute()
    )
