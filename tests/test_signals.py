"""The signals module: reading hashes, and finding (never creating) or upserting their rows."""

import secrets

import pytest
from openncii import signals
from openncii.db import write_transaction
from openncii.models import ROWS_PER_STATEMENT, Signal


def keys(count, kind="ImagePDQ"):
    return [(kind, secrets.token_hex(signals.HASH_LENGTHS[kind] // 2)) for _ in range(count)]


def test_find_only_looks_up(storage_app):
    stored, missing = keys(2), keys(1, "VideoMD5")
    with storage_app.app_context():
        with write_transaction():
            ids = signals.upsert(stored)
        assert signals.find(stored + missing) == ids
        assert signals.find(key for key in stored) == ids  # any iterable, read once
        assert signals.find(missing) == {}
        assert Signal.select().count() == 2


def test_upsert_adds_the_missing_and_keeps_the_stored(storage_app):
    first, more = keys(3), keys(ROWS_PER_STATEMENT) + keys(ROWS_PER_STATEMENT, "VideoMD5")
    with storage_app.app_context():
        with write_transaction():
            before = signals.upsert(first)
        with write_transaction():
            after = signals.upsert(first + more + first[:1])
        assert set(after) == set(first + more) and len(set(after.values())) == len(after)
        assert {key: after[key] for key in first} == before
        assert Signal.select().count() == len(after)
        stored = Signal.get_by_id(after[more[-1]])
        assert (stored.signal_type, stored.value) == more[-1]


@pytest.mark.parametrize(
    "raw, kind",
    [
        ("ImagePDQ", "ImagePDQ"),
        ("StopNCIISignalType.VideoMD5", "VideoMD5"),
        ("imagepdq", None),
        ("PhotoDNA", None),
        (None, None),
    ],
)
def test_signal_types_are_read_with_or_without_the_clients_prefix(raw, kind):
    assert signals.parse_type(raw) == kind


@pytest.mark.parametrize(
    "raw, kind, value",
    [
        ("AB" * 32, "ImagePDQ", "ab" * 32),
        ("ab" * 16, "VideoMD5", "ab" * 16),
        ("ab" * 16, "ImagePDQ", None),
        ("zz" * 32, "ImagePDQ", None),
        ("ab" * 32 + "\n", "ImagePDQ", None),
        (64, "ImagePDQ", None),
    ],
)
def test_hash_values_are_lowercase_hex_of_the_types_length(raw, kind, value):
    assert signals.parse_value(raw, kind) == value


def test_the_length_names_the_type():
    assert signals.type_by_length("0" * 64) == "ImagePDQ"
    assert signals.type_by_length("0" * 32) == "VideoMD5"
    assert signals.type_by_length("0" * 40) is None and signals.type_by_length(None) is None
