"""Hashes ("signals") as every part of the service reads and stores them.

The kinds of hash and their lengths (defined beside the tables, in
:mod:`openncii.models`), reading a (type, value) pair as sent by a browser or a
partner, and the ``Signal`` rows: :func:`find` only looks them up, :func:`upsert`
adds the missing ones first. A hash is stored as lowercase hex, once, whoever sent it.
"""

import re

from .models import HASH_LENGTHS, SIGNAL_TYPES, Signal, in_batches

HEX = re.compile(r"[0-9a-fA-F]+")
TYPE_BY_LENGTH = {length: kind for kind, length in HASH_LENGTHS.items()}
CLIENT_ENUM_PREFIX = "StopNCIISignalType."  # StopNCII's reference client sends str(enum)


def parse_type(raw):
    """The signal type ``raw`` names (with or without the client's enum prefix), or None."""
    name = raw.removeprefix(CLIENT_ENUM_PREFIX) if isinstance(raw, str) else None
    return name if name in HASH_LENGTHS else None


def parse_value(raw, signal_type):
    """``raw`` as lowercase hex if it is a hash of ``signal_type`` (a known one), else None."""
    if isinstance(raw, str) and len(raw) == HASH_LENGTHS[signal_type] and HEX.fullmatch(raw):
        return raw.lower()
    return None


def type_by_length(raw):
    """The signal type whose hashes are as long as ``raw``, or None."""
    return TYPE_BY_LENGTH.get(len(raw)) if isinstance(raw, str) else None


def find(keys):
    """``{(signal_type, value): id}`` for those of the ``keys`` that are stored."""
    keys, found = set(keys), {}
    for kind in SIGNAL_TYPES:
        values = sorted({value for signal_type, value in keys if signal_type == kind})
        for batch in in_batches(values):
            query = Signal.select(Signal.id, Signal.value).where(
                (Signal.signal_type == kind) & Signal.value.in_(batch)
            )
            found.update({(kind, value): sid for sid, value in query.tuples()})
    return found


def upsert(keys):
    """``{(signal_type, value): id}`` for every one of ``keys``, storing the missing ones.

    Call inside the writing transaction, after :func:`openncii.changelog.lock` (so a
    purge can't remove a hash between the insert and its use). A row another writer
    adds at the same moment is simply found.
    """
    rows = sorted(set(keys))
    for batch in in_batches(rows):
        Signal.insert_many(
            batch, fields=[Signal.signal_type, Signal.value]
        ).on_conflict_ignore().execute()
    return find(rows)
