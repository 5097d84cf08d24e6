"""Near-duplicate lookup for partners: "does this upload match any active hash?"

No Flask here; ``views/partner_api.py`` serves it as ``POST /v1/MatchHashes``.

Each process keeps a :class:`Matcher`: an in-memory :class:`~openncii.pdq_index.PDQIndex`
of every *active* victim PDQ hash (held by at least one case that is not withdrawn),
built from the database the first time it is needed (gunicorn's ``post_worker_init``
builds it before a worker takes requests) and kept up to date from the change log --
the same ``seq`` cursor the partner feed uses. Before answering, a matcher whose last
look at the log is older than :data:`REFRESH_SECONDS` reads the changes since its cursor:
hashes of new cases join the index, withdrawn ones leave it. So a new case matches
within ``REFRESH_SECONDS`` in every worker. Each candidate the index finds is then read
back from the database with its feed record, and only hashes whose ``hashStatus`` is
``Active`` *at that moment* are returned: a withdrawal stops matching at once, whatever
the index still holds. VideoMD5 hashes are matched exactly by the database's unique
index on (type, value) and are not kept in memory.

Privacy of the platform's users: the hashes a partner asks about are compared in memory
and forgotten. Nothing stores or logs them; the only trace of a request is a count per
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
from .models import Case, CaseHash, Change, MatchUsage, Signal, now
from .pdq_index import PDQIndex, codes_from_hex

REFRESH_SECONDS = 2.0
REBUILD_AFTER_CHANGES = 50_000  # a longer backlog is read by building afresh
DAY_SECONDS = 86_400


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


def _index_of(rows):
    if not rows:
        return PDQIndex.empty()
    ids = np.fromiter((sid for sid, _ in rows), dtype=np.int64, count=len(rows))
    return PDQIndex(ids, codes_from_hex(value for _, value in rows))


class Matcher:
    """One process's view of the active PDQ hashes (thread-safe)."""

    def __init__(self, refresh_seconds=REFRESH_SECONDS, clock=time.monotonic):
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._index = None
        self._cursor = 0  # last change seq read
        self._checked_at = 0.0

    def index(self):
        """The index, brought up to date if it was last checked too long ago."""
        with self._lock:
            if self._index is None:
                self._build()
            elif self._clock() - self._checked_at >= self.refresh_seconds:
                self._catch_up()
            return self._index

    def _build(self):
        with _snapshot():
            cursor = Change.select(Change.seq).order_by(Change.seq.desc()).limit(1).scalar() or 0
            rows = database.execute(_active("ImagePDQ")).fetchall()
        self._index, self._cursor, self._checked_at = _index_of(rows), cursor, self._clock()

    def _catch_up(self):
        with _snapshot():
            last = Change.select(Change.seq).order_by(Change.seq.desc()).limit(1).scalar() or 0
            in_range = (Change.seq > self._cursor) & (Change.seq <= last)
            backlog = Change.select().where(in_range).count()
            if backlog <= REBUILD_AFTER_CHANGES:
                changed, active = self._changes(in_range)
        if backlog > REBUILD_AFTER_CHANGES:
            self._build()
            return
        index = self._index
        index.discard([sid for sid in changed if sid not in active])
        new = [(sid, value) for sid, value in active.items() if not index.contains(sid)]
        if new:
            index.add([sid for sid, _ in new], codes_from_hex(value for _, value in new))
        if index.pending > max(10_000, len(index) // 10):
            index = index.compacted()
        self._index, self._cursor, self._checked_at = index, last, self._clock()

    @staticmethod
    def _changes(in_range):
        """The PDQ hashes changed in ``in_range`` of the log, and {id: value} of the active ones."""
        changed = {
            sid
            for (sid,) in Change.select(Change.signal)
            .join(Signal)
            .where(in_range, Signal.signal_type == "ImagePDQ")
            .tuples()
        }
        active = dict(
            _active("ImagePDQ").where(Signal.id.in_(list(changed))).tuples() if changed else []
        )
        return changed, active

    def match(self, partner, queries):
        """Per query, the active hashes it matches, nearest first (see the module doc)."""
        index = self.index()
        hits = [self._hits(index, query) for query in queries]
        records = exchange.current_records({sid for found in hits for sid, _ in found})
        active = {sid for sid, record in records.items() if record["hashStatus"] == "Active"}
        results = []
        for query, found in zip(queries, hits, strict=True):
            matches = sorted(
                (
                    {**records[sid], "distance": distance}
                    for sid, distance in found
                    if sid in active
                ),
                key=lambda match: (match["distance"], match["hashValue"]),
            )
            results.append(
                {"signalType": query.signal_type, "hashValue": query.hash_value, "matches": matches}
            )
        matched = sorted({sid for found in hits for sid, _ in found} & active)
        with write_transaction():
            if partner.match_feedback:
                exchange.mark_pending_review(partner, matched)
            _count(partner, len(queries), sum(1 for result in results if result["matches"]))
        return results

    @staticmethod
    def _hits(index, query):
        """[(signal id, distance)] the index (PDQ) or the database (MD5) finds."""
        if query.signal_type == "ImagePDQ":
            ids, found = index.search(bytes.fromhex(query.hash_value), query.max_distance)
            return list(zip(ids.tolist(), found.tolist(), strict=True))
        rows = _active("VideoMD5").where(Signal.value == query.hash_value).tuples()
        return [(sid, 0) for sid, _ in rows]


def _count(partner, hashes, matched):
    """Add one request to the partner's figures for today (UTC)."""
    day = now() // DAY_SECONDS
    (
        MatchUsage.insert(partner=partner, day=day, requests=1, hashes=hashes, matched=matched)
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
