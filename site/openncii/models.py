"""All tables, in one place.

Privacy by construction: no table has a column for an e-mail address, IP address,
user agent or file name. Victims are known only by a random case number and a bcrypt
PIN hash; partners see a separate random ``Case.reference``, never the case number.
"""

import time

from peewee import (
    SQL,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Check,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .db import database

HASH_LENGTHS = {"ImagePDQ": 64, "VideoMD5": 32}  # hex characters, by signal type
SIGNAL_TYPES = tuple(HASH_LENGTHS)  # used through openncii.signals
CASE_STATUSES = ("active", "withdrawn")

# Rows per multi-row INSERT, values per IN (...) list. Every column of every row and
# every listed value is one bound variable, and SQLite caps them per statement (32,766
# since SQLite 3.32, of 2020; 999 before): 500 rows of up to three columns stay well
# inside the cap and keep each statement small.
ROWS_PER_STATEMENT = 500


def now():
    """Unix time in whole seconds: the resolution of every timestamp we keep."""
    return int(time.time())


def in_batches(items):
    """``items`` (a list) in slices of at most :data:`ROWS_PER_STATEMENT`."""
    for start in range(0, len(items), ROWS_PER_STATEMENT):
        yield items[start : start + ROWS_PER_STATEMENT]


def today():
    """Days since 1970-01-01 (UTC): the resolution of usage counts."""
    return now() // 86_400


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Case(BaseModel):
    """One person's submission: the hashes of up to 20 files, reachable with number + PIN."""

    number = CharField(max_length=20, unique=True)  # canonical form, no separators
    pin_hash = CharField(max_length=100)
    reference = CharField(max_length=40, unique=True)  # opaque, partner-facing
    status = CharField(
        max_length=10, default="active", constraints=[Check("status IN ('active', 'withdrawn')")]
    )
    created_at = BigIntegerField(default=now)
    updated_at = BigIntegerField(default=now)
    # The change log's last seq before this case's own changes: a partner that has
    # fetched one of its hashes' changes after this point has that hash (see cases).
    published_after = BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")])


class CaseSession(BaseModel):
    """A browser's hold on one case: signed in to it, or about to be shown its new number.

    The browser's cookie carries a random token; this row keeps only its SHA-256, so a
    copy of the database opens nothing. Deleting the row ends the session at once
    (sign-out, withdrawal, quick exit): see :mod:`openncii.case_sessions`.
    """

    token_hash = CharField(max_length=64, unique=True)
    case = ForeignKeyField(Case, backref="sessions", on_delete="CASCADE")
    purpose = CharField(max_length=10, constraints=[Check("purpose IN ('signed_in', 'new_case')")])
    expires_at = BigIntegerField(index=True)
    emailed = BooleanField(default=False)  # new_case: the number was e-mailed once


class SignInAttempts(BaseModel):
    """Sign-in tries counted in one bucket (a case number, or a number + visitor pair).

    ``bucket`` is a SHA-256, never the case number or visitor key itself: see the
    lockout design in :mod:`openncii.cases`.
    """

    bucket = CharField(max_length=64, unique=True)
    failures = IntegerField(default=0)
    locked_until = BigIntegerField(default=0)
    expires_at = BigIntegerField(index=True)


class Signal(BaseModel):
    """One distinct hash value, shared by every case and partner that holds it."""

    signal_type = CharField(
        max_length=10,
        constraints=[Check(f"signal_type IN ({', '.join(repr(kind) for kind in SIGNAL_TYPES)})")],
    )
    value = CharField(max_length=64)  # lowercase hex
    # When the feed started calling it Deleted: its last victim case was withdrawn
    # longer ago than the retention period. Purged soon after (see openncii.retention).
    deleted_at = BigIntegerField(null=True, index=True)

    class Meta:
        indexes = ((("signal_type", "value"), True),)


class CaseHash(BaseModel):
    """A hash as submitted in a case, in the order the person chose the files."""

    case = ForeignKeyField(Case, backref="hashes", on_delete="CASCADE")
    signal = ForeignKeyField(Signal, backref="case_hashes")
    position = IntegerField()
    quality = IntegerField(null=True)  # PDQ quality 0..100; null for MD5
    frame_of = ForeignKeyField("self", null=True, backref="frames", on_delete="CASCADE")

    class Meta:
        indexes = ((("case", "signal"), True), (("case", "position"), True))


class Partner(BaseModel):
    """A platform that downloads hashes and reports matches back."""

    name = CharField(max_length=100, unique=True)
    key_id = CharField(max_length=32, unique=True)  # public prefix of the secret key
    key_hash = CharField(max_length=128)  # HMAC-SHA256 of the secret part
    active = BooleanField(default=True)
    created_at = BigIntegerField(default=now)
    updated_at = BigIntegerField(default=now)
    # The largest change seq this partner has fetched without a gap: every change up
    # to it has reached the partner (one UPDATE per feed page, see openncii.exchange).
    fetched_seq = BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    # A match through MatchHashes records PendingReview from this partner on the hash.
    match_feedback = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])


class WithdrawnHash(BaseModel):
    """A hash of a withdrawn case, kept only for the retention period.

    The case itself (number, PIN hash, links to its hashes) is deleted when it is
    withdrawn; this row is what partners still need: the case's partner-facing
    ``reference`` marked ``Withdrawn`` beside the hash, so they delete their copies.
    """

    signal = ForeignKeyField(Signal, backref="withdrawals", index=False)  # see the unique index
    reference = CharField(max_length=40)
    withdrawn_at = BigIntegerField(index=True)

    class Meta:
        indexes = ((("signal", "reference"), True),)


class PartnerHash(BaseModel):
    """A hash a partner contributed itself (SubmitHashes)."""

    partner = ForeignKeyField(Partner, backref="submitted", on_delete="CASCADE")
    signal = ForeignKeyField(Signal, backref="partner_hashes")
    created_at = BigIntegerField(default=now)

    class Meta:
        indexes = ((("partner", "signal"), True),)


class Feedback(BaseModel):
    """A partner's latest verdict on a hash; a new one replaces the old."""

    partner = ForeignKeyField(Partner, backref="feedback", on_delete="CASCADE")
    signal = ForeignKeyField(Signal, backref="feedback")
    value = CharField(max_length=20)
    tags = TextField(default="[]")  # JSON list of strings
    updated_at = BigIntegerField(default=now)

    class Meta:
        indexes = ((("partner", "signal"), True),)


class Change(BaseModel):
    """The partner feed's log: one row each time a hash's published state changes.

    ``seq`` is strictly increasing in commit order and ``at`` never decreases along
    ``seq`` (see :func:`openncii.changelog.append`), which is what makes the feed's
    cursor exact.
    """

    seq = BigAutoField()
    signal = ForeignKeyField(Signal, backref="changes")
    at = BigIntegerField()
    reason = CharField(max_length=20)

    class Meta:
        indexes = ((("at", "seq"), False),)  # where a feed starts: see openncii.exchange


class MatchUsage(BaseModel):
    """How much a partner used MatchHashes on one day: counts only, never the hashes."""

    partner = ForeignKeyField(Partner, backref="match_usage", on_delete="CASCADE")
    day = IntegerField()  # days since 1970-01-01, UTC
    requests = IntegerField(default=0)
    hashes = IntegerField(default=0)  # hashes asked about
    matched = IntegerField(default=0)  # of which matched an active hash

    class Meta:
        indexes = ((("partner", "day"), True),)


class CaseRequest(BaseModel):
    """A recent ``POST /api/cases`` that carried an idempotency key, so a retry finds its case.

    Kept for :data:`openncii.cases.REQUEST_SECONDS`, then deleted. It holds no key and
    no PIN: the SHA-256 of the key (random, from the browser), an HMAC of the hashes sent
    keyed *with the key itself* (meaningless without it), and the case it made.
    """

    key_hash = CharField(max_length=64, unique=True)
    body_digest = CharField(max_length=64)
    case = ForeignKeyField(Case, backref="requests", on_delete="CASCADE")
    expires_at = BigIntegerField(index=True)


MODELS = [
    Case,
    Signal,
    CaseHash,
    WithdrawnHash,
    Partner,
    PartnerHash,
    Feedback,
    Change,
    CaseSession,
    SignInAttempts,
    CaseRequest,
    MatchUsage,
]
