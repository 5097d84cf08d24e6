"""The partner hash exchange: the feed partners page through, and what they send back.

No Flask here; ``views/partner_api.py`` turns HTTP into calls to these functions.

The feed cursor (why paging is exact)
-------------------------------------
The feed is the change log (:mod:`openncii.changelog`) read in ``seq`` order. Each
record is the *current* snapshot of one hash, so delivering a hash again later is
harmless (records replace each other) while skipping a change is not. Two facts from
the log's writers make a ``seq`` cursor exact:

1. ``seq`` order is commit order. Appenders are serialised from drawing their first
   ``seq`` until commit (SQLite's single writer with ``BEGIN IMMEDIATE``; PostgreSQL's
   transaction-scoped advisory lock, released only after the commit is visible). So a
   reader always sees a *prefix* of the log, with gaps only where a transaction rolled
   back, and every change committed later has a larger ``seq`` than anything it saw:
   "everything after the last ``seq`` I read" never misses a change, even when
   transactions start out of order or commit within the same second.
2. ``at`` (whole seconds) never decreases along ``seq``: each append uses
   ``max(now, largest at so far)`` under the same serialisation, and anything still
   in flight will get an ``at`` at least as large as any committed one.

``nextPageToken`` carries the position (last ``seq`` delivered, and its ``at``); the
client sends the same ``startTimestamp`` with every token, so the token alone decides
where the next page starts. A fresh fetch starts at the first change with
``at >= startTimestamp`` (an index seek on ``(at, seq)``). ``nextSetTimestamp`` is the
``at`` of the last change delivered, so it never decreases from page to page, and by
fact 2 resuming with it as ``startTimestamp`` sees every later change; it re-sends the
changes of that last second, which the client simply replaces. An empty answer echoes
``startTimestamp``. Each page is read in one snapshot (a deferred SQLite transaction,
PostgreSQL ``REPEATABLE READ``), so its records are the state "as of some moment".

Each page is one indexed range query on ``change.seq`` that also follows indexes to
each hash's cases and checks whether partners hold or rated it, plus, only when some
hash in the page has verdicts, one lookup of those: memory and time per page do not grow
with the table. This is the hot path of a partner's sync (1,000,000 hashes = 500 pages
of 2,000), so its SQL is written out once and rows are read as plain tuples
(``bench/feed.py`` measures it against a plain ``SELECT`` of the same rows). With a partner
given, one more UPDATE per page records how far that partner has fetched
(:func:`record_fetch`).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import lru_cache

from peewee import fn

from . import changelog, signals
from .db import database, is_postgres, write_transaction
from .models import (
    Case,
    CaseHash,
    Change,
    Feedback,
    Partner,
    PartnerHash,
    Signal,
    WithdrawnHash,
    in_batches,
    now,
)
from .problems import MAX_PROBLEMS, Invalid, Problem, refuse_if
from .signals import HASH_LENGTHS, SIGNAL_TYPES

MAX_PAGE_SIZE = 2000
MAX_ITEMS = 1000  # hashes per SubmitFeedback / SubmitHashes request
MAX_TAGS = 20
MAX_TAG_LENGTH = 100
MAX_INT = 2**53 - 1  # JSON-safe integers only
DEFAULT_MATCH_DISTANCE = 31  # PDQ bits; HMA's default threshold
MAX_MATCH_DISTANCE = 63
FEEDBACK_VALUES = (
    "None",
    "QualityUnknown",
    "PendingReview",
    "Blocked",
    "NotBlocked",
    "Withdrawn",
    "Deleted",
)


@dataclass(frozen=True)
class Page:
    records: list
    next_page_token: str | None
    next_set_timestamp: int
    has_more: bool

    def as_json(self):
        return {
            "count": len(self.records),
            "nextPageToken": self.next_page_token,
            "nextSetTimestamp": self.next_set_timestamp,
            "hasMoreRecords": self.has_more,
            "hashRecords": self.records,
        }


@dataclass(frozen=True)
class FeedbackItem:
    signal_type: str
    hash_value: str
    value: str
    tags: tuple


@dataclass(frozen=True)
class MatchQuery:
    signal_type: str
    hash_value: str
    max_distance: int  # 0 for VideoMD5: exact


# -- reading the feed ----------------------------------------------------------------


def encode_token(seq, at):
    return base64.urlsafe_b64encode(f"{seq}.{at}".encode()).rstrip(b"=").decode()


def decode_token(token):
    """(seq, at) from a ``nextPageToken``; Invalid if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        seq, at = (int(part) for part in raw.split("."))
    except (binascii.Error, UnicodeError, ValueError):
        seq = at = -1  # not ours: refused below
    if not (0 <= seq <= MAX_INT and 0 <= at <= MAX_INT):
        raise Invalid([Problem("token", field="nextPageToken")])
    return seq, at


def _out_of_range(field, low, high):
    return Problem("range", field=field, params={"min": low, "max": high})


def _read_snapshot():
    """A read-only view of one moment: deferred SQLite transaction, PostgreSQL REPEATABLE READ."""
    return database.atomic("REPEATABLE READ") if is_postgres() else database.atomic()


def _first_seq_at_or_after(timestamp):
    return (
        Change.select(Change.seq)
        .where(Change.at >= timestamp)
        .order_by(Change.at, Change.seq)
        .limit(1)
        .scalar()
    )


def fetch_page(start_timestamp, page_size, token=None, partner=None):
    """One page of the feed: see the module docstring for the cursor's guarantees.

    With ``partner``, records how far that partner has now fetched (:func:`record_fetch`).
    """
    problems = []
    if not 0 <= start_timestamp <= MAX_INT:
        problems.append(_out_of_range("startTimestamp", 0, MAX_INT))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(_out_of_range("pageSize", 1, MAX_PAGE_SIZE))
    refuse_if(problems)
    with _read_snapshot():
        if token:
            after, last_at = decode_token(token)
        else:
            first = _first_seq_at_or_after(start_timestamp)
            if first is None:
                return Page([], None, start_timestamp, False)
            after, last_at = first - 1, start_timestamp
        begin = after
        records, last, has_more = snapshots(after, page_size)
        if last is not None:
            after, last_at = last
    if partner is not None and records:
        record_fetch(partner, begin, after)
    return Page(records, encode_token(after, last_at) if has_more else None, last_at, has_more)


def record_fetch(partner, after, last):
    """Note that ``partner`` was given every change in ``(after, last]``.

    ``Partner.fetched_seq`` moves to ``last`` only if the partner had already fetched
    everything before: no change lies between its old position and ``after`` (a fetch
    that starts later than where the partner is, skipping changes, does not count).
    One UPDATE per page; the check is an empty range scan on the primary key when the
    partner follows its own tokens or resumes from its ``nextSetTimestamp``.
    """
    skipped = Change.select(Change.seq).where(
        (Change.seq > Partner.fetched_seq) & (Change.seq <= after)
    )
    update = Partner.update(fetched_seq=last).where(
        (Partner.id == partner) & (Partner.fetched_seq < last) & ~fn.EXISTS(skipped)
    )
    if not is_postgres():
        update.execute()
        return
    with database.atomic():  # a position lost in a crash only undercounts: don't wait for disk
        database.execute_sql("SET LOCAL synchronous_commit TO OFF")
        update.execute()


# The page query, the feed's hot path, in plain SQL compiled once per parameter style:
# the changes after a ``seq`` (one more than the page holds, to tell if more follow),
# each with its signal, whether a partner holds or rated it, and one row per active case
# and per withdrawn case holding it (hence one change can span several rows; they are
# consecutive, and a hash in m active and n withdrawn cases gives m x n rows).
PAGE_SQL = """
SELECT p.seq, p.at, p.signal_id, p.signal_type, p.value, p.deleted_at, p.held, p.rated,
       c.reference, w.reference
FROM (
    SELECT ch.seq, ch.at, ch.signal_id, s.signal_type, s.value, s.deleted_at,
           EXISTS (SELECT 1 FROM "partner_hash" ph WHERE ph.signal_id = s.id) AS held,
           EXISTS (SELECT 1 FROM "feedback" f WHERE f.signal_id = s.id) AS rated
    FROM "change" ch JOIN "signal" s ON s.id = ch.signal_id
    WHERE ch.seq > {p}
    ORDER BY ch.seq
    LIMIT {p}
) p
LEFT JOIN "case_hash" h ON h.signal_id = p.signal_id
LEFT JOIN "case" c ON c.id = h.case_id
LEFT JOIN "withdrawn_hash" w ON w.signal_id = p.signal_id
ORDER BY p.seq
"""
# Partners' verdicts on the signals changed in a seq range (only run when one has any).
FEEDBACK_SQL = """
SELECT DISTINCT ch.signal_id, f.value, f.tags, pa.name
FROM "change" ch
JOIN "feedback" f ON f.signal_id = ch.signal_id
JOIN "partner" pa ON pa.id = f.partner_id
WHERE ch.seq > {p} AND ch.seq <= {p}
ORDER BY pa.name
"""


@lru_cache(maxsize=8)
def _compiled(sql, param):
    return sql.format(p=param)


def _query(sql, *params):
    """Rows of one of the hot-path queries above, as plain tuples."""
    db = database.current()
    return db.execute_sql(_compiled(sql, db.param), params).fetchall()


def snapshots(after, page_size):
    """Up to ``page_size`` changes after ``after`` as records: (records, (seq, at) of the
    last change delivered or None, whether more changes follow).

    One record per signal, stamped with its latest change in the page, in the order the
    signals first changed. One indexed range query gives the changes, their hashes and
    cases; a second, only if some hash in the page has partner verdicts, gives those.
    Neither scans a table nor grows with anything but the page.
    """
    records, held, deleted, rated, has_more = {}, set(), set(), False, False
    seen, seq, at, record = 0, None, None, None
    for row in _query(PAGE_SQL, after, page_size + 1):
        row_seq, row_at, sid, kind, value, deleted_at, is_held, is_rated, active, withdrawn = row
        if row_seq != seq:  # the first row of the next change
            seen += 1
            if seen > page_size:
                has_more = True
                break
            seq, at = row_seq, row_at
            record = records.get(sid)
            if record is None:
                records[sid] = record = _new_record(at, kind, value)
                if is_held:
                    held.add(sid)
                if deleted_at is not None:
                    deleted.add(sid)
                rated = rated or is_rated
            else:
                record["lastModtimestamp"] = at
        if withdrawn is not None:
            record["caseNumbers"][withdrawn] = "Withdrawn"
        if active is not None:
            record["caseNumbers"][active] = "Active"
    if rated:
        for sid, value, tags, source in _query(FEEDBACK_SQL, after, seq):
            records[sid]["CSPFeedbacks"].append(
                {"feedbackValue": value, "tags": json.loads(tags), "source": source}
            )
    for sid, record in records.items():
        record["hashStatus"] = aggregate_status(
            record["caseNumbers"].values(), sid in deleted, sid in held
        )
    return list(records.values()), (seq, at) if records else None, has_more


def _new_record(at, kind, value):
    """A feed record before its cases, verdicts and status are filled in."""
    return {
        "lastModtimestamp": at,
        "signalType": kind,
        "hashValue": value,
        "hashStatus": None,
        "caseNumbers": {},
        "CSPFeedbacks": [],
    }


def current_records(signal_ids):
    """{signal id: the record FetchHashes would show for it now}, for the given ids.

    The same records as :func:`snapshots` builds, looked up by id (MatchHashes answers
    with them); a handful of indexed lookups per batch of ids.
    """
    ids, records = sorted(set(signal_ids)), {}
    for batch in in_batches(ids):
        records.update(_records_of(batch))
    return records


def _records_of(ids):
    records, deleted = {}, set()
    for sid, at, kind, value, deleted_at in (
        Signal.select(
            Signal.id, fn.MAX(Change.at), Signal.signal_type, Signal.value, Signal.deleted_at
        )
        .join(Change, on=(Change.signal == Signal.id))
        .where(Signal.id.in_(ids))
        .group_by(Signal.id, Signal.signal_type, Signal.value, Signal.deleted_at)
        .tuples()
    ):
        records[sid] = _new_record(at, kind, value)
        if deleted_at is not None:
            deleted.add(sid)
    withdrawn = WithdrawnHash.select(WithdrawnHash.signal, WithdrawnHash.reference)
    for sid, reference in withdrawn.where(WithdrawnHash.signal.in_(ids)).tuples():
        records[sid]["caseNumbers"][reference] = "Withdrawn"
    active = CaseHash.select(CaseHash.signal, Case.reference).join(Case)
    for sid, reference in active.where(CaseHash.signal.in_(ids)).tuples():
        records[sid]["caseNumbers"][reference] = "Active"
    held = {
        sid
        for (sid,) in PartnerHash.select(PartnerHash.signal)
        .where(PartnerHash.signal.in_(ids))
        .tuples()
    }
    for sid, value, tags, source in (
        Feedback.select(Feedback.signal, Feedback.value, Feedback.tags, Partner.name)
        .join(Partner)
        .where(Feedback.signal.in_(ids))
        .order_by(Partner.name)
        .tuples()
    ):
        records[sid]["CSPFeedbacks"].append(
            {"feedbackValue": value, "tags": json.loads(tags), "source": source}
        )
    for sid, record in records.items():
        record["hashStatus"] = aggregate_status(
            record["caseNumbers"].values(), sid in deleted, sid in held
        )
    return records


def aggregate_status(case_statuses, deleted, held_by_partner):
    """A hash's ``hashStatus``: it follows victims' cases only.

    Active while an active case holds it; Withdrawn once every case that held it is
    withdrawn, Deleted after the retention period (:mod:`openncii.retention`). A hash
    only partners sent (SubmitHashes) and no victim's case ever held is Received:
    another platform's report, never a victim's request. A partner's copy never makes
    a hash Active, so a partner that sends the feed back cannot undo a withdrawal.
    """
    if "Active" in case_statuses:
        return "Active"
    if deleted:
        return "Deleted"
    if case_statuses:
        return "Withdrawn"
    return "Received" if held_by_partner else "Deleted"


# -- validating what partners send ---------------------------------------------------
#
# Checks record Problem codes (views/partner_api.py words them for partners) and go on,
# so one answer names every bad item, up to MAX_PROBLEMS; nothing is stored unless the
# whole body is valid.


@dataclass(frozen=True)
class _Report:
    """Records the problems of the body's item ``index``, naming fields under ``prefix``."""

    problems: list
    index: int
    prefix: str = ""

    def __call__(self, code, field, **params):
        self.problems.append(Problem(code, self.index, self.prefix + field, params))

    def under(self, name):
        return _Report(self.problems, self.index, f"{self.prefix}{name}.")


def _each(body, key, read):
    """``read(item, report)`` of each item of the list ``body[key]``; Invalid if any is bad."""
    if not isinstance(body, dict):
        raise Invalid([Problem("body")])
    items = body.get(key)
    if not isinstance(items, list):
        raise Invalid([Problem("list", field=key)])
    if len(items) > MAX_ITEMS:  # too much to read
        raise Invalid([Problem("too_many_items", field=key, params={"max": MAX_ITEMS})])
    problems, parsed = [], []
    count = body.get("count", len(items))
    if type(count) is not int or count != len(items):
        problems.append(Problem("count", field="count", params={"items": key}))
    for index, item in enumerate(items):
        if isinstance(item, dict):
            parsed.append(read(item, _Report(problems, index)))
        else:
            problems.append(Problem("item", index))
        if len(problems) >= MAX_PROBLEMS:  # enough to act on
            break
    refuse_if(problems, items=key)
    return parsed


def _signal_type(item, report):
    kind = signals.parse_type(item.get("signalType"))
    if kind is None:
        report("signal_type", "signalType", types=", ".join(SIGNAL_TYPES))
    return kind


def _hash_value(item, report, signal_type=None):
    """(signal_type, lowercase hex) of the item's hash; its length tells the type if not given."""
    raw = item.get("hashValue")
    kind = signal_type or signals.type_by_length(raw)
    value = kind and signals.parse_value(raw, kind)
    if not value:
        params = {"type": kind, "length": HASH_LENGTHS[kind]} if signal_type else {}
        report("hash_value", "hashValue", **params)
    return kind, value


def _feedback(item, report):
    """(feedbackValue, sorted tags) of one feedback object."""
    value = item.get("feedbackValue")
    if value not in FEEDBACK_VALUES:
        report("feedback_value", "feedbackValue", values=", ".join(FEEDBACK_VALUES))
    tags = item.get("tags", [])
    if (
        not isinstance(tags, list)
        or len(tags) > MAX_TAGS
        or not all(isinstance(tag, str) and 0 < len(tag) <= MAX_TAG_LENGTH for tag in tags)
    ):
        report("tags", "tags", max=MAX_TAGS, length=MAX_TAG_LENGTH)
        tags = []
    return value, tuple(sorted(set(tags)))


def _read_feedback(item, report):
    return FeedbackItem(*_hash_value(item, report), *_feedback(item, report))


def _read_hash_record(item, report):
    """A SubmitHashes record with its (last) feedback, or none."""
    timestamp = item.get("lastModtimestamp", 0)
    if type(timestamp) is not int or not 0 <= timestamp <= MAX_INT:
        report("timestamp", "lastModtimestamp")
    kind = _signal_type(item, report)
    value = kind and _hash_value(item, report, kind)[1]
    feedbacks = item.get("CSPFeedbacks", [])
    if not isinstance(feedbacks, list) or not all(isinstance(f, dict) for f in feedbacks):
        report("feedbacks", "CSPFeedbacks")
        feedbacks = []
    verdicts = [_feedback(f, report.under(f"CSPFeedbacks[{i}]")) for i, f in enumerate(feedbacks)]
    return FeedbackItem(kind, value, *(verdicts[-1] if verdicts else (None, ())))


def _read_match_query(item, report):
    kind = _signal_type(item, report)
    if kind is None:
        return None
    _, value = _hash_value(item, report, kind)
    default, limit = (DEFAULT_MATCH_DISTANCE, MAX_MATCH_DISTANCE) if kind == "ImagePDQ" else (0, 0)
    distance = item.get("maxDistance", default)
    if type(distance) is not int or not 0 <= distance <= limit:
        report("max_distance", "maxDistance", type=kind, max=limit)
    return MatchQuery(kind, value, distance)


def parse_feedback(body):
    """The items of a SubmitFeedback body; Invalid names the bad ones."""
    return _each(body, "hashFeedbacks", _read_feedback)


def parse_hash_records(body):
    """The items of a SubmitHashes body, each with its (last) feedback or none."""
    return _each(body, "hashRecords", _read_hash_record)


def parse_match_queries(body):
    """The items of a MatchHashes body; Invalid names the bad ones."""
    return _each(body, "hashes", _read_match_query)


# -- writing what partners send ------------------------------------------------------


def _keys(items):
    return {(item.signal_type, item.hash_value) for item in items}


def _store_feedback(partner, verdicts):
    """Upsert the partner's verdicts ``{signal_id: (value, tags)}``; return the ids that changed."""
    current = {
        sid: (value, tuple(json.loads(tags)))
        for sid, value, tags in (
            Feedback.select(Feedback.signal, Feedback.value, Feedback.tags)
            .where(Feedback.partner == partner, Feedback.signal.in_(list(verdicts)))
            .tuples()
        )
    }
    changed = [sid for sid, verdict in verdicts.items() if current.get(sid) != verdict]
    timestamp = now()
    for sid in changed:
        value, tags = verdicts[sid]
        (
            Feedback.insert(
                partner=partner,
                signal=sid,
                value=value,
                tags=json.dumps(list(tags)),
                updated_at=timestamp,
            )
            .on_conflict(
                conflict_target=[Feedback.partner, Feedback.signal],
                update={
                    Feedback.value: value,
                    Feedback.tags: json.dumps(list(tags)),
                    Feedback.updated_at: timestamp,
                },
            )
            .execute()
        )
    return changed


def submit_feedback(partner, items):
    """Store a partner's feedback on the hashes we hold (the last item per hash wins).

    Returns (number of hashes given feedback, hash values we do not hold).
    """
    with write_transaction():
        changelog.lock()
        ids = signals.find(_keys(items))
        verdicts = {
            ids[item.signal_type, item.hash_value]: (item.value, item.tags)
            for item in items
            if (item.signal_type, item.hash_value) in ids
        }
        changelog.append(_store_feedback(partner, verdicts), "feedback")
    unknown = [item.hash_value for item in items if (item.signal_type, item.hash_value) not in ids]
    return len(verdicts), list(dict.fromkeys(unknown))


def mark_pending_review(partner, signal_ids):
    """Record that the partner matched these hashes (``PendingReview``), in the caller's
    transaction, where it has given no verdict yet: a later ``Blocked`` or ``NotBlocked``
    replaces it, and it never replaces one. Returns the ids whose verdict changed."""
    if not signal_ids:
        return []
    judged = {
        sid
        for (sid,) in Feedback.select(Feedback.signal)
        .where(
            Feedback.partner == partner,
            Feedback.signal.in_(list(signal_ids)),
            Feedback.value.not_in(["None", "QualityUnknown"]),
        )
        .tuples()
    }
    verdicts = {sid: ("PendingReview", ()) for sid in signal_ids if sid not in judged}
    changed = _store_feedback(partner, verdicts)
    changelog.append(changed, "feedback")
    return changed


def submit_hashes(partner, items):
    """Add hashes a partner found itself (with its verdict, if given) to the feed.

    They are that partner's copies, kept apart from victims' cases: see
    :func:`aggregate_status`.
    """
    with write_transaction():
        changelog.lock()
        ids = signals.upsert(_keys(items))
        held = {
            sid
            for (sid,) in PartnerHash.select(PartnerHash.signal)
            .where(PartnerHash.partner == partner, PartnerHash.signal.in_(list(ids.values())))
            .tuples()
        }
        new = [sid for sid in dict.fromkeys(ids.values()) if sid not in held]
        rows = [{"partner": partner, "signal": sid} for sid in new]
        for batch in in_batches(rows):  # ignore conflicts: a concurrent request may add one
            PartnerHash.insert_many(batch).on_conflict_ignore().execute()
        verdicts = {
            ids[item.signal_type, item.hash_value]: (item.value, item.tags)
            for item in items
            if item.value is not None
        }
        changelog.append(new + _store_feedback(partner, verdicts), "partner hash")
    return len(ids)
