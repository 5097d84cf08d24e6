"""A victim's case: create it from hashes, open it with number + PIN, withdraw it.

No Flask here: views turn the :class:`~openncii.problems.Problem` codes this module
reports into localized text, and pass configuration (bcrypt cost, file limit) in as
arguments.

Case numbers are 14 random symbols of Crockford's base-32 alphabet (70 bits) and two
check symbols, shown as four groups of four ("7K2Q-DM9X-RTB4-HZ3C"). The check symbols
make the number a codeword of a Reed-Solomon code over GF(32) with distance 3, so any
error in one or two symbols -- every mistyped symbol, every swap of two symbols -- is
caught before any lookup is made.

Signing in (:func:`sign_in`) is paused, never the case itself, and only for those
guessing. Tries are counted in two buckets, each kept as a SHA-256 in
``sign_in_attempts`` (never the number or the visitor key in clear):

- *number + visitor*, the visitor being :func:`openncii.limits.client_key` (a daily
  rotating HMAC of the visitor's network address, the same in every worker): after VISITOR_FREE_TRIES = 5 wrong PINs in a row,
  signing in with that number from there pauses for FIRST_PAUSE = 1 minute, doubling
  with each further wrong PIN up to VISITOR_MAX_PAUSE = 1 hour (at most ~33 tries a
  day);
- *number* alone, all visitors together: CASE_FREE_TRIES = 100 wrong PINs in a row,
  then 1 minute doubling up to CASE_MAX_PAUSE = 1 hour. This bounds guessing spread
  over many addresses to ~100 + 24 tries a day; a person guessing from one device or
  network can never reach it, so the owner on their own phone (another visitor key)
  still gets in.

A try is counted *before* bcrypt runs, in one write transaction that also refuses
it if either bucket is paused (:func:`_reserve`), so tries made at the same moment
are each counted and none slips past a pause. A paused try runs a decoy bcrypt
check and is refused even with the right PIN; tries while paused are not counted
(so hammering never lengthens the owner's wait). The right PIN clears both buckets.
A bucket is forgotten ATTEMPTS_KEPT = 24 hours after its last wrong PIN.

Unknown numbers get buckets exactly like real ones, and every path costs one
bcrypt check at the configured cost (a decoy hash for unknown or paused tries, a
padded check for PINs hashed at an older cost, which are rehashed at the current
cost on sign-in), so the answer -- refused, and how long to wait -- tells someone
without the right PIN nothing about whether the case exists or which PIN is right.
"""

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from dataclasses import field as default
from functools import cache, cached_property
from itertools import pairwise

import bcrypt
from peewee import IntegrityError, fn

from . import changelog, signals
from .db import is_postgres, write_transaction
from .models import (
    Case,
    CaseHash,
    CaseRequest,
    Change,
    Feedback,
    Partner,
    Signal,
    SignInAttempts,
    WithdrawnHash,
    in_batches,
    now,
)
from .policy import COMMON_PINS, MAX_FRAMES_PER_VIDEO, PIN_MAX, PIN_MAX_BYTES, PIN_MIN
from .problems import MAX_PROBLEMS, Invalid, Problem
from .signals import SIGNAL_TYPES

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
RANDOM_SYMBOLS = 14
NUMBER_LENGTH = RANDOM_SYMBOLS + 2
GROUP = 4
EXAMPLE_CASE_NUMBER = "7K2Q-DM9X-RTB4-HZ3C"  # well formed, for hints; no case has it
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})  # what people mistype


# The lockout: see "Signing in" in the module docstring.
VISITOR_FREE_TRIES = 5
VISITOR_MAX_PAUSE = 3600
CASE_FREE_TRIES = 100
CASE_MAX_PAUSE = 3600
FIRST_PAUSE = 60
ATTEMPTS_KEPT = 24 * 3600


# ---------------------------------------------------------------- case numbers


def _gf32_tables():
    """Powers and logarithms of the generator of GF(32) = GF(2)[x] / (x^5 + x^2 + 1)."""
    powers, value = [], 1
    for _ in range(31):
        powers.append(value)
        value <<= 1
        if value & 0b100000:
            value ^= 0b100101
    return powers, {power: exponent for exponent, power in enumerate(powers)}


POWERS, LOGS = _gf32_tables()


def _times(value, exponent):
    """``value * alpha**exponent`` in GF(32)."""
    return POWERS[(LOGS[value] + exponent) % 31] if value else 0


def _syndromes(values):
    """(sum of v_i, sum of v_i * alpha^i): both zero exactly for valid numbers."""
    plain = weighted = 0
    for position, value in enumerate(values):
        plain ^= value
        weighted ^= _times(value, position)
    return plain, weighted


def check_symbols(symbols):
    """The two symbols that make ``symbols`` (14 of them) a valid case number."""
    plain, weighted = _syndromes([ALPHABET.index(char) for char in symbols])
    first, second = len(symbols), len(symbols) + 1
    # Solve c1 + c2 = plain and c1*a^first + c2*a^second = weighted for c1, c2.
    right = weighted ^ _times(plain, first)
    c2 = _times(right, -LOGS[POWERS[first] ^ POWERS[second]]) if right else 0
    return ALPHABET[plain ^ c2] + ALPHABET[c2]


def new_case_number():
    """A fresh canonical case number: 14 random symbols and their two check symbols."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return symbols + check_symbols(symbols)


def format_case_number(number):
    """``7K2QDM9XRTB4HZ3C`` -> ``7K2Q-DM9X-RTB4-HZ3C`` for reading aloud and writing down."""
    return "-".join(number[i : i + GROUP] for i in range(0, len(number), GROUP))


def parse_case_number(text):
    """The canonical case number typed as ``text``, or ``None`` if it can't be one.

    Case, spaces and dashes don't matter, and O/I/L are read as 0/1/1.
    """
    symbols = re.sub(r"[\s\-‐‑–—]", "", str(text)).upper().translate(READ_AS)
    if len(symbols) != NUMBER_LENGTH or any(char not in ALPHABET for char in symbols):
        return None
    if _syndromes([ALPHABET.index(char) for char in symbols]) != (0, 0):
        return None
    return symbols


# ------------------------------------------------------------------------ PINs


def pin_problem(pin):
    """Why ``pin`` can't be used ("pin_type", "pin_short", ...), or ``None`` if it can."""
    if not isinstance(pin, str) or not is_text(pin):
        return "pin_type"
    if len(pin) < PIN_MIN:
        return "pin_short"
    if len(pin) > PIN_MAX or len(pin.encode()) > PIN_MAX_BYTES:
        return "pin_long"
    if is_common_pin(pin):
        return "pin_common"
    return None


def is_text(value):
    """False for strings that can't be stored as UTF-8 (lone surrogates from JSON ``\\ud800``)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def is_common_pin(pin):
    """Widely used PINs: the list above, one repeated symbol, or a run like 345678."""
    folded = pin.lower()
    if folded in COMMON_PINS or len(set(folded)) == 1:
        return True
    steps = {ord(b) - ord(a) for a, b in pairwise(folded)}
    return folded.isalnum() and len(steps) == 1 and steps <= {1, -1}


def hash_pin(pin, rounds):
    return bcrypt.hashpw(pin.encode(), bcrypt.gensalt(rounds)).decode()


@cache
def _decoy_hash(rounds):
    """A real bcrypt hash to check against when no case matches, so that an unknown
    case costs the same work as a wrong PIN. Made once per cost, lazily."""
    return hash_pin(secrets.token_urlsafe(12), rounds).encode()


# --------------------------------------------------------- validating a case


@dataclass(frozen=True)
class NewHash:
    signal_type: str
    value: str
    quality: int | None
    frame_of: int | None


def validate_submission(body, max_files):
    """Check a ``POST /api/cases`` body; return ``(pin, [NewHash])`` or raise Invalid.

    Every problem is reported, up to MAX_PROBLEMS; ``index`` counts in ``hashes``.
    """
    if not isinstance(body, dict):
        raise Invalid([Problem("body")])
    problems = []
    if body.get("consent") is not True:
        problems.append(Problem("consent", field="consent"))
    pin = body.get("pin")
    if code := pin_problem(pin):
        problems.append(Problem(code, field="pin", params={"min": PIN_MIN, "max": PIN_MAX}))
    items = body.get("hashes")
    if not isinstance(items, list) or not items:
        problems.append(Problem("hashes", field="hashes"))
        raise Invalid(problems)
    most = max_files * (1 + MAX_FRAMES_PER_VIDEO)
    if len(items) > most:  # can't be a case: don't read it
        problems.append(Problem("too_many_files", params={"max": max_files}))
        raise Invalid(problems)
    hashes = []
    for index, item in enumerate(items):
        hashes.append(_read_hash(index, item, problems))
        if len(problems) >= MAX_PROBLEMS:  # enough to act on; the rest can wait
            raise Invalid(problems)
    problems += _list_problems(hashes, max_files)
    if problems:
        raise Invalid(problems)
    return pin, hashes


def _read_hash(index, item, problems):
    """One ``hashes`` entry as a NewHash (None if unusable); appends what's wrong."""
    if not isinstance(item, dict):
        problems.append(Problem("item", index))
        return None
    signal_type, value = item.get("signalType"), item.get("hashValue")
    quality, frame_of = item.get("quality"), item.get("frameOf")
    found = []
    if signal_type not in SIGNAL_TYPES:
        found.append(
            Problem("signal_type", index, "signalType", {"types": ", ".join(SIGNAL_TYPES)})
        )
    elif (value := signals.parse_value(value, signal_type)) is None:
        found.append(
            Problem(
                "hash_value",
                index,
                "hashValue",
                {"type": signal_type, "length": signals.HASH_LENGTHS[signal_type]},
            )
        )
    if quality is not None and (signal_type != "ImagePDQ" or not _is_int(quality, 0, 100)):
        found.append(Problem("quality", index, "quality"))
    if frame_of is not None and (signal_type != "ImagePDQ" or not _is_int(frame_of, 0, None)):
        found.append(Problem("frame_of", index, "frameOf"))
    problems += found
    if found:
        return None
    return NewHash(signal_type, value, quality, frame_of)


def _is_int(value, low, high):
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def _list_problems(hashes, max_files):
    """Duplicates, frames pointing at something other than a video, and too many files."""
    problems, seen, files, frames = [], {}, 0, {}
    for index, item in enumerate(hashes):
        if item is None:
            continue
        key = (item.signal_type, item.value)
        if key in seen:
            problems.append(Problem("duplicate", index, "hashValue", {"other": seen[key] + 1}))
        seen.setdefault(key, index)
        if item.frame_of is None:
            files += 1
            if files > max_files:
                problems.append(Problem("too_many_files", index, params={"max": max_files}))
            continue
        target = hashes[item.frame_of] if item.frame_of < len(hashes) else None
        if target is None or target.signal_type != "VideoMD5":
            problems.append(Problem("frame_of", index, "frameOf"))
            continue
        frames[item.frame_of] = frames.get(item.frame_of, 0) + 1
        if frames[item.frame_of] > MAX_FRAMES_PER_VIDEO:
            problems.append(
                Problem("too_many_frames", index, "frameOf", {"max": MAX_FRAMES_PER_VIDEO})
            )
    return problems


# ------------------------------------------------------------ writing a case

# How long a retry of the same submission (same idempotency key) finds its case.
REQUEST_SECONDS = 24 * 3600
REQUEST_KEY = re.compile(r"[A-Za-z0-9_\-]{16,128}")


class KeyReused(Invalid):
    """The idempotency key already made a case from a different submission."""

    status = 422

    def __init__(self):
        super().__init__([Problem("key_reused")])


def request_key_problem(key):
    """Why ``key`` (an ``Idempotency-Key`` header, or None) can't be used, or ``None``."""
    if key is None or REQUEST_KEY.fullmatch(key):
        return None
    return Problem("request_key", params={"min": 16, "max": 128})


def create_case(pin, hashes, rounds, request_key=None):
    """Store a validated case in one transaction; return its canonical number.

    With a ``request_key`` (the browser's random idempotency key, kept across its
    retries), a repeat of the same submission within :data:`REQUEST_SECONDS` returns
    the case the first one made instead of making a second; the same key with other
    hashes or another PIN raises :class:`KeyReused`. Two copies racing each other
    can't both win: the key's hash is unique, so the later transaction rolls back.
    """
    if request_key is not None and (number := _earlier_case(request_key, pin, hashes)):
        return number
    pin_hash = hash_pin(pin, rounds)  # slow: done before taking the write lock
    try:
        with write_transaction():
            case = _store_case(pin_hash, hashes)
            if request_key is not None:
                _remember_request(request_key, hashes, case)
    except IntegrityError:
        if request_key is None or not (number := _earlier_case(request_key, pin, hashes)):
            raise
        return number
    return case.number


def _store_case(pin_hash, hashes):
    """Write the case, its hashes and their changes (inside the caller's transaction).

    A hash the feed had been calling Deleted (an earlier case withdrawn) is a victim's
    active hash again.
    """
    changelog.lock()
    signal_ids = signals.upsert((item.signal_type, item.value) for item in hashes)
    Signal.update(deleted_at=None).where(
        Signal.id.in_(list(signal_ids.values())) & Signal.deleted_at.is_null(False)
    ).execute()
    case = Case.create(number=new_case_number(), pin_hash=pin_hash, reference=secrets.token_hex(16))
    rows = {}
    videos_first = sorted(range(len(hashes)), key=lambda i: hashes[i].frame_of is not None)
    for index in videos_first:
        item = hashes[index]
        rows[index] = CaseHash.create(
            case=case,
            signal=signal_ids[(item.signal_type, item.value)],
            position=index,
            quality=item.quality,
            frame_of=None if item.frame_of is None else rows[item.frame_of],
        )
    _, case.published_after = changelog.append(
        [row.signal_id for row in rows.values()], "case_created"
    )
    case.save(only=[Case.published_after])
    return case


def _key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _hashes_digest(key, hashes):
    """The submitted hashes, HMAC'd under the key: comparable by its holder only.

    The PIN is left out on purpose: a digest of it would let anyone with a copy of
    the database try PINs at hash speed instead of bcrypt's. A retry's PIN is checked
    against the case's bcrypt hash instead.
    """
    canonical = json.dumps(
        [[item.signal_type, item.value, item.quality, item.frame_of] for item in hashes]
    )
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def _remember_request(key, hashes, case):
    CaseRequest.delete().where(CaseRequest.expires_at <= now()).execute()
    CaseRequest.create(
        key_hash=_key_hash(key),
        body_digest=_hashes_digest(key, hashes),
        case=case,
        expires_at=now() + REQUEST_SECONDS,
    )


def _earlier_case(key, pin, hashes):
    """The number of the case this key already made, or None; KeyReused if it differs."""
    request = (
        CaseRequest.select(CaseRequest, Case)
        .join(Case)
        .where((CaseRequest.key_hash == _key_hash(key)) & (CaseRequest.expires_at > now()))
        .first()
    )
    if request is None:
        return None
    same_hashes = hmac.compare_digest(request.body_digest, _hashes_digest(key, hashes))
    if not (same_hashes and bcrypt.checkpw(pin.encode(), request.case.pin_hash.encode())):
        raise KeyReused()
    return request.case.number


def withdraw(case_id):
    """Withdraw a case for good: erase it, and tell partners its hashes are withdrawn.

    The case row goes, with its PIN hash and its links to hashes, so its number and
    PIN open nothing any more (the same answer as a number that never existed). What
    partners still need is kept for the retention period (:mod:`openncii.retention`):
    the case's partner-facing reference beside each of its hashes, published as
    ``Withdrawn``. Returns False if there was no such case (nothing changes then).
    """
    with write_transaction():
        changelog.lock()
        case = Case.get_or_none(Case.id == case_id)
        if case is None:
            return False
        signal_ids = [
            sid for (sid,) in CaseHash.select(CaseHash.signal).where(CaseHash.case == case).tuples()
        ]
        at, _ = changelog.append(signal_ids, "case_withdrawn")
        rows = [
            {"signal": sid, "reference": case.reference, "withdrawn_at": at} for sid in signal_ids
        ]
        for batch in in_batches(rows):
            WithdrawnHash.insert_many(batch).execute()
        CaseHash.update(frame_of=None).where(CaseHash.case == case).execute()
        CaseHash.delete().where(CaseHash.case == case).execute()
        case.delete_instance()
    return True


# ------------------------------------------------------------ opening a case


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in: the case, or ``None`` and how long to wait (0: try now)."""

    case: Case | None
    wait: int = 0


def sign_in(number, pin, visitor, rounds, clock=time.time):
    """Open the case with this canonical number and PIN, as the visitor ``visitor``.

    See the module docstring for the lockout. Every path costs the same bcrypt work:
    one check at ``rounds`` (or an older-cost check padded up to it).
    """
    buckets = _buckets(number or "", visitor)
    wait, wait_if_wrong = _reserve(buckets, int(clock()))
    case = Case.get_or_none(Case.number == number) if number and not wait else None
    stored = case.pin_hash.encode() if case else _decoy_hash(rounds)
    matches = _check(pin, stored, rounds)
    if case is None or not matches:
        return SignIn(None, wait or wait_if_wrong)
    SignInAttempts.delete().where(SignInAttempts.bucket.in_(buckets)).execute()
    if _cost(stored) != rounds:
        Case.update(pin_hash=hash_pin(pin, rounds)).where(Case.id == case.id).execute()
    return SignIn(case)


def check_pin(case_id, pin, visitor, rounds, clock=time.time):
    """Whether ``pin`` opens the case ``case_id`` (its owner confirming an action).

    Counted exactly like a sign-in, so a stolen session can't be used to guess the PIN.
    """
    number = Case.select(Case.number).where(Case.id == case_id).scalar()
    return sign_in(number, pin, visitor, rounds, clock)


def _buckets(number, visitor):
    """(this number's bucket, this number + visitor's bucket): SHA-256s, nothing readable."""
    case_bucket = hashlib.sha256(f"case:{number}".encode()).hexdigest()
    visitor_bucket = hashlib.sha256(f"visitor:{visitor}:{number}".encode()).hexdigest()
    return case_bucket, visitor_bucket


# (free tries, longest pause) of each bucket, in the order _buckets gives them.
BUCKET_LIMITS = ((CASE_FREE_TRIES, CASE_MAX_PAUSE), (VISITOR_FREE_TRIES, VISITOR_MAX_PAUSE))


def _reserve(buckets, now_):
    """Count one try in both buckets before any bcrypt, unless either is paused.

    Returns (seconds paused for now, seconds paused for if this try is wrong).

    One write transaction: on PostgreSQL the two rows are locked (in a fixed order),
    on SQLite ``BEGIN IMMEDIATE`` serialises writers, so concurrent tries are counted
    one after the other and none reads a stale count.
    """
    with write_transaction():
        SignInAttempts.delete().where(SignInAttempts.expires_at <= now_).execute()
        SignInAttempts.insert_many(
            [{"bucket": bucket, "expires_at": now_ + ATTEMPTS_KEPT} for bucket in buckets]
        ).on_conflict_ignore().execute()
        query = SignInAttempts.select().where(SignInAttempts.bucket.in_(buckets))
        if is_postgres():
            query = query.order_by(SignInAttempts.bucket).for_update()
        rows = {row.bucket: row for row in query}
        wait = max(rows[bucket].locked_until - now_ for bucket in buckets)
        if wait > 0:
            return wait, wait
        pauses = []
        for bucket, limits in zip(buckets, BUCKET_LIMITS, strict=True):
            failures = rows[bucket].failures + 1
            pauses.append(pause_seconds(failures, *limits))
            SignInAttempts.update(
                failures=failures, locked_until=now_ + pauses[-1], expires_at=now_ + ATTEMPTS_KEPT
            ).where(SignInAttempts.bucket == bucket).execute()
    return 0, max(pauses)


def pause_seconds(failures, free_tries, max_pause):
    """How long a bucket pauses sign-in after its ``failures``-th failure in a row."""
    if failures < free_tries:
        return 0
    return min(FIRST_PAUSE * 2 ** (failures - free_tries), max_pause)


def _cost(stored):
    """The cost (log2 of the rounds) a bcrypt hash was made with."""
    return int(stored[4:6])


def _check(pin, stored, rounds):
    """``bcrypt.checkpw``, padded to the work of one check at ``rounds``.

    A hash made at an older, lower cost c is padded with decoy checks at costs
    c, c+1, ..., rounds-1: 2**c + (2**c + ... + 2**(rounds-1)) = 2**rounds.
    """
    matches = bcrypt.checkpw(str(pin).encode("utf-8", "surrogatepass")[:72], stored)
    for cost in range(_cost(stored), rounds):
        bcrypt.checkpw(b"", _decoy_hash(cost))
    return matches


# ----------------------------------------------------------- showing a case

# Partner feedback values that say something about a hash, most telling first.
FEEDBACK_STATES = {
    "Blocked": "blocked",
    "PendingReview": "under_review",
    "NotBlocked": "not_removed",
}


@dataclass
class HashStatus:
    signal_type: str
    value: str
    position: int
    frame_of: int | None  # position of the video this frame came from
    state: str  # received, shared, under_review, blocked, not_removed
    changed_at: int
    partners: int  # active partners that have fetched this hash
    reports: list = default(default_factory=list)  # (partner name, state), by name


# Hash states from most to least telling: what a file shows when its hashes differ.
STATE_ORDER = ("blocked", "under_review", "not_removed", "shared", "received")


@dataclass
class CaseFile:
    """One picture or video as the person chose it: its hash, and a video's frame hashes."""

    kind: str  # picture or video
    number: int  # 1, 2, ... among the case's files of the same kind
    main: HashStatus
    frames: list

    @property
    def hashes(self):
        return [self.main, *self.frames]

    @property
    def state(self):
        return min((item.state for item in self.hashes), key=STATE_ORDER.index)

    @property
    def changed_at(self):
        return max(item.changed_at for item in self.hashes)

    @property
    def reports(self):
        """(partner name, state) for each partner's most telling verdict on the file."""
        best = {}
        for item in self.hashes:
            for name, state in item.reports:
                if STATE_ORDER.index(state) < STATE_ORDER.index(best.get(name, "received")):
                    best[name] = state
        return sorted(best.items())


@dataclass
class CaseStatus:
    number: str
    created_at: int
    updated_at: int
    hashes: list
    active_partners: int  # partner platforms connected now

    @property
    def partners(self):
        """How many active partners have every hash of the case."""
        return min((item.partners for item in self.hashes), default=0)

    @cached_property
    def files(self):
        """The hashes grouped as the person chose the files, frames under their video."""
        files, counts = {}, {}
        for item in self.hashes:
            if item.frame_of is None:
                kind = "video" if item.signal_type == "VideoMD5" else "picture"
                counts[kind] = counts.get(kind, 0) + 1
                files[item.position] = CaseFile(kind, counts[kind], item, [])
        for item in self.hashes:
            if item.frame_of is not None:
                files[item.frame_of].frames.append(item)
        return list(files.values())

    def count(self, kind):
        return sum(1 for item in self.files if item.kind == kind)

    @property
    def matches(self):
        """Files a partner platform has found a match for."""
        return sum(1 for item in self.files if item.state not in ("shared", "received"))


def case_status(case_id):
    """What the case page shows, or None if there is no such case (withdrawn).

    A hash is "shared" once at least one active partner has fetched it: its position
    in the change log (``Partner.fetched_seq``) has passed a change of that hash made
    since the case was created (see :func:`_partners_holding`). Until then it is
    "received". A partner verdict on it wins: blocked, then under review, then not
    removed.
    """
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        return None
    rows = list(
        CaseHash.select(CaseHash, Signal)
        .join(Signal)
        .where(CaseHash.case == case)
        .order_by(CaseHash.position)
    )
    reports = _reports([row.signal_id for row in rows])
    holding = _partners_holding(case)
    positions = {row.id: row.position for row in rows}
    hashes = []
    for row in rows:
        found = reports.get(row.signal_id, [])
        partners = holding.get(row.id, 0)
        hashes.append(
            HashStatus(
                signal_type=row.signal.signal_type,
                value=row.signal.value,
                position=row.position,
                frame_of=positions.get(row.frame_of_id),
                state=_hash_state(partners, [state for _, state, _ in found]),
                changed_at=max([case.updated_at] + [at for _, _, at in found]),
                partners=partners,
                reports=[(name, state) for name, state, _ in found],
            )
        )
    active = Partner.select().where(Partner.active == True).count()  # noqa: E712
    return CaseStatus(case.number, case.created_at, case.updated_at, hashes, active)


def _partners_holding(case):
    """case_hash id -> number of active partners that have fetched that hash.

    Exact, because the change log only grows at its end: a change of the hash that
    exists now with ``published_after < seq <= fetched_seq`` existed when the partner's
    fetch went past it, and was then delivered with the hash's current state. (The
    log drops an earlier change of a hash only once a later one has reached every
    active partner, so no partner that has the hash is missed.)
    """
    query = (
        CaseHash.select(CaseHash.id, fn.COUNT(Partner.id.distinct()))
        .join(
            Change,
            on=(Change.signal == CaseHash.signal) & (Change.seq > case.published_after),
        )
        .join(Partner, on=(Partner.active == True) & (Partner.fetched_seq >= Change.seq))  # noqa: E712
        .where(CaseHash.case == case)
        .group_by(CaseHash.id)
    )
    return dict(query.tuples())


def _reports(signal_ids):
    """signal id -> [(partner name, state, updated_at)] for verdicts the page shows."""
    query = (
        Feedback.select(Feedback.signal, Feedback.value, Feedback.updated_at, Partner.name)
        .join(Partner)
        .where(Feedback.signal.in_(signal_ids) & Feedback.value.in_(list(FEEDBACK_STATES)))
        .order_by(Partner.name)
    )
    found = {}
    for row in query:
        found.setdefault(row.signal_id, []).append(
            (row.partner.name, FEEDBACK_STATES[row.value], row.updated_at)
        )
    return found


def _hash_state(partners, verdicts):
    for state in FEEDBACK_STATES.values():
        if state in verdicts:
            return state
    return "shared" if partners else "received"


def stats():
    """Aggregate counts for the operator: nothing about any one case."""
    by_type = dict(
        CaseHash.select(Signal.signal_type, fn.COUNT(CaseHash.id))
        .join(Signal)
        .group_by(Signal.signal_type)
        .tuples()
    )
    feedback = {}
    query = (
        Feedback.select(Partner.name, Feedback.value, fn.COUNT(Feedback.id))
        .join(Partner)
        .group_by(Partner.name, Feedback.value)
        .order_by(Partner.name, Feedback.value)
    )
    for name, value, count in query.tuples():
        feedback.setdefault(name, {})[value] = count
    return {
        "cases": {
            "active": Case.select().count(),
            # Withdrawn cases are erased; their references stay for the retention period.
            "withdrawn": WithdrawnHash.select(WithdrawnHash.reference).distinct().count(),
        },
        "case_hashes": {kind: by_type.get(kind, 0) for kind in SIGNAL_TYPES},
        "distinct_hashes": Signal.select().count(),
        "partners": {
            "active": Partner.select().where(Partner.active).count(),
            "total": Partner.select().count(),
        },
        "feedback_by_partner": feedback,
    }
