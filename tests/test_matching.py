"""POST /v1/MatchHashes and the indexes behind it (openncii.hash_index, openncii.matching)."""

import io
import logging
import secrets

import numpy as np
import pytest
from case_helpers import database_dump
from hashing_reference import distance, photo, reference_hash
from openncii import cases, exchange, partners
from openncii.hash_index import MAX_RADIUS, MD5Index, PDQIndex, distances
from openncii.matching import REFRESH_SECONDS, Matcher
from openncii.models import Case, Feedback, MatchUsage, Signal, today
from PIL import Image

PIN = "violet-harbour-42"

# -- the index against a brute-force scan --------------------------------------------


def flip_bits(code, count, rng):
    bits = np.unpackbits(code)
    bits[rng.choice(256, count, replace=False)] ^= 1
    return np.packbits(bits)


def brute_force(ids, codes, query, radius):
    found = distances(codes.view(np.uint64), query.view(np.uint64))
    near = found <= radius
    return dict(zip(ids[near].tolist(), found[near].tolist(), strict=True))


def test_index_finds_exactly_what_a_scan_finds():
    """10,000 random hashes, queries planted at distances 0-40 from some of them, and
    every radius class the index probes differently (0, 15, 16, 31, 32, 47, 48, 63)."""
    rng = np.random.default_rng(19)
    codes = rng.integers(0, 256, (10_000, 32), dtype=np.uint8)
    ids = rng.permutation(10_000).astype(np.int64) * 7 + 3
    index = PDQIndex(ids, codes)
    queries = [flip_bits(codes[rng.integers(10_000)], d, rng) for d in range(41) for _ in range(3)]
    queries += [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(20)]  # unrelated
    checked = found = 0
    for radius in (0, 15, 16, 31, 32, 47, 48, MAX_RADIUS):
        for query in queries:
            got_ids, got_distances = index.search(query.tobytes(), radius)
            got = dict(zip(got_ids.tolist(), got_distances.tolist(), strict=True))
            assert got == brute_force(ids, codes, query, radius), radius
            checked, found = checked + 1, found + len(got)
    assert checked == 8 * len(queries) and found > 500


def test_index_forgets_discarded_and_finds_added_hashes():
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (2_000, 32), dtype=np.uint8)
    ids = np.arange(2_000, dtype=np.int64)
    index = PDQIndex(ids, codes)
    index.discard([5, 6, 99_999])
    new = flip_bits(codes[5], 3, rng)
    index.add([5_000], new[None, :])
    assert index.search(codes[5].tobytes(), 0)[0].tolist() == []
    assert index.search(codes[5].tobytes(), 31)[0].tolist() == [5_000]
    assert len(index) == 1_999 and index.contains(5_000) and not index.contains(6)
    compacted = index.compacted()
    assert len(compacted) == 1_999 and compacted.pending == 0
    assert compacted.search(new.tobytes(), 0)[0].tolist() == [5_000]


def test_empty_index_finds_nothing():
    ids, found = PDQIndex.empty().search(bytes(32), MAX_RADIUS)
    assert ids.tolist() == [] and found.tolist() == []
    assert MD5Index.empty().search(bytes(16))[0].tolist() == []


def test_md5_index_finds_equal_hashes_only():
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 256, (500, 16), dtype=np.uint8)
    codes[7, -1] = 0  # a trailing zero byte is part of the value
    index = MD5Index(np.arange(500), codes)
    index.discard([3])
    index.add([900], codes[3:4])
    assert index.search(codes[7].tobytes())[0].tolist() == [7]
    assert index.search(codes[3].tobytes())[0].tolist() == [900]
    near = codes[8].copy()
    near[0] ^= 1
    assert index.search(near.tobytes())[0].tolist() == []
    assert len(index) == 500 and index.contains(900) and not index.contains(3)


# -- the endpoint ----------------------------------------------------------------------


class Platform:
    """A partner calling the API through the app's test client."""

    def __init__(self, app, name="pics.example"):
        self.client = app.test_client()
        with app.app_context():
            self.partner, self.key = partners.create(name)

    def match(self, *queries, status=200):
        body = {"count": len(queries), "hashes": list(queries)}
        headers = {"Ocp-Apim-Subscription-Key": self.key, "x-functions-key": self.key}
        response = self.client.post("/v1/MatchHashes", json=body, headers=headers)
        assert response.status_code == status, response.get_json()
        return response.get_json()


def pdq(value, max_distance=None):
    query = {"signalType": "ImagePDQ", "hashValue": value}
    return query if max_distance is None else {**query, "maxDistance": max_distance}


def jpeg_copy(rgb, scale, quality):
    """The picture as a platform would receive it: resized and re-encoded as JPEG."""
    image = Image.fromarray(rgb)
    image = image.resize((int(image.width * scale), int(image.height * scale)), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return np.asarray(Image.open(out).convert("RGB"))


def new_case(app, *hashes):
    """A victim's case holding these (signal type, value) hashes; returns its id."""
    new = [
        cases.NewHash(kind, value, 90 if kind == "ImagePDQ" else None, None)
        for kind, value in hashes
    ]
    with app.app_context():
        return Case.get(Case.number == cases.create_case(PIN, new, rounds=4)).id


class Clock:
    """A stand-in for ``time.monotonic``, moved by hand."""

    t = 1_000.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock(storage_app):
    """``storage_app``'s match index, on a clock the test moves."""
    fake = Clock()
    storage_app.extensions["openncii_matcher"] = Matcher(clock=fake)
    return fake


def test_a_resized_jpeg_copy_matches_the_victims_picture(storage_app, clock):
    rng = np.random.default_rng(3)
    picture, unrelated = photo(rng, 1200, 900), photo(rng, 1200, 900)
    original, _ = reference_hash(picture)
    copy, _ = reference_hash(jpeg_copy(picture, 0.8, 70))
    other, _ = reference_hash(unrelated)
    video = secrets.token_hex(16)
    new_case(storage_app, ("ImagePDQ", original), ("VideoMD5", video))
    platform = Platform(storage_app)

    answer = platform.match(pdq(copy), pdq(other), {"signalType": "VideoMD5", "hashValue": video})

    assert answer["count"] == 3
    found, none, exact = answer["results"]
    assert [m["hashValue"] for m in found["matches"]] == [original]
    assert found["matches"][0]["distance"] == distance(original, copy) <= 31
    assert found["matches"][0]["hashStatus"] == "Active"
    assert none == {"signalType": "ImagePDQ", "hashValue": other, "matches": []}
    assert [(m["hashValue"], m["distance"]) for m in exact["matches"]] == [(video, 0)]


def test_a_match_looks_like_the_feed_record(storage_app, clock):
    value = secrets.token_hex(32)
    new_case(storage_app, ("ImagePDQ", value))
    platform = Platform(storage_app)
    (match,) = platform.match(pdq(value))["results"][0]["matches"]
    with storage_app.app_context():
        feed = {r["hashValue"]: r for r in exchange.fetch_page(0, 100).records}
    assert match == {**feed[value], "distance": 0}


def test_new_cases_match_after_the_refresh_and_withdrawn_ones_never(storage_app, clock):
    first, second = secrets.token_hex(32), secrets.token_hex(32)
    case_id = new_case(storage_app, ("ImagePDQ", first))
    platform = Platform(storage_app)
    assert platform.match(pdq(first))["results"][0]["matches"]  # builds the index

    new_case(storage_app, ("ImagePDQ", second))
    clock.t += REFRESH_SECONDS
    assert platform.match(pdq(second))["results"][0]["matches"]

    with storage_app.app_context():
        cases.withdraw(case_id)
    # At once: each candidate is checked against the database before it is returned.
    assert platform.match(pdq(first))["results"][0]["matches"] == []
    clock.t += REFRESH_SECONDS  # and the index itself lets it go
    matcher = storage_app.extensions["openncii_matcher"]
    with storage_app.app_context():
        assert not matcher.indexes()["ImagePDQ"].contains(_signal_id(first))


def _signal_id(value):
    return Signal.get(Signal.value == value).id


def test_a_match_records_pending_review_unless_switched_off(storage_app, clock):
    blocked, matched, quiet = (secrets.token_hex(32) for _ in range(3))
    new_case(storage_app, ("ImagePDQ", blocked), ("ImagePDQ", matched))
    new_case(storage_app, ("ImagePDQ", quiet))
    platform = Platform(storage_app)
    with storage_app.app_context():
        exchange.submit_feedback(
            platform.partner, [exchange.FeedbackItem("ImagePDQ", blocked, "Blocked", ())]
        )
    platform.match(pdq(blocked), pdq(matched))
    other = Platform(storage_app, "forum.example")
    with storage_app.app_context():
        partners.set_match_feedback("forum.example", False)
    other.match(pdq(quiet))
    with storage_app.app_context():
        verdicts = {
            (partner.name, signal.value): value
            for partner, signal, value in (
                (f.partner, f.signal, f.value) for f in Feedback.select()
            )
        }
        records = exchange.current_records([_signal_id(matched)])
    assert verdicts == {
        ("pics.example", blocked): "Blocked",
        ("pics.example", matched): "PendingReview",
    }
    (record,) = records.values()
    assert record["CSPFeedbacks"][0]["feedbackValue"] == "PendingReview"


def test_asked_hashes_are_never_stored_or_logged(storage_app, clock, caplog):
    caplog.set_level(logging.DEBUG)
    held = secrets.token_hex(32)
    new_case(storage_app, ("ImagePDQ", held))
    platform = Platform(storage_app)
    asked = [secrets.token_hex(32) for _ in range(3)] + [secrets.token_hex(16)]
    near = f"{int(held, 16) ^ 0b111:064x}"  # 3 bits from a held hash: a match
    platform.match(
        *(pdq(value) for value in asked[:3]),
        {"signalType": "VideoMD5", "hashValue": asked[3]},
        pdq(near),
    )
    dump = database_dump(storage_app)
    for value in [*asked, near]:
        assert value.encode() not in dump and value not in caplog.text
    with storage_app.app_context():
        usage = [(u.day, u.requests, u.hashes, u.matched) for u in MatchUsage.select()]
    assert usage == [(today(), 1, 5, 1)]


@pytest.mark.parametrize(
    "query, message",
    [
        (pdq("ab" * 32, 64), "maxDistance"),
        (pdq("ab" * 32, -1), "maxDistance"),
        (pdq("ab" * 32, "31"), "maxDistance"),
        ({"signalType": "VideoMD5", "hashValue": "ab" * 16, "maxDistance": 3}, "maxDistance"),
        ({"signalType": "ImagePDQ", "hashValue": "ab" * 16}, "hashValue"),
        ({"signalType": "PhotoDNA", "hashValue": "ab" * 32}, "signalType"),
    ],
)
def test_bad_queries_are_refused_with_the_item_named(app, query, message):
    answer = Platform(app).match(query, status=400)
    assert "hashes[0]" in answer["error"] and message in answer["error"]


def test_at_most_a_thousand_hashes_per_request(app):
    Platform(app).match(*(pdq(secrets.token_hex(32)) for _ in range(1_001)), status=400)


def test_operators_see_daily_counts_and_switch_match_feedback(app):
    platform = Platform(app)
    platform.match(pdq(secrets.token_hex(32)), pdq(secrets.token_hex(32)))
    runner = app.test_cli_runner()
    usage = runner.invoke(args=["partners", "usage", "--days", "7"])
    assert usage.exit_code == 0
    assert usage.output.split("\t")[0] == "pics.example" and "2 hashes\t0 matched" in usage.output
    switched = runner.invoke(args=["partners", "match-feedback", "pics.example", "off"])
    assert switched.exit_code == 0
    with app.app_context():
        assert not partners.get("pics.example").match_feedback
    unknown = runner.invoke(args=["partners", "match-feedback", "nobody", "on"])
    assert unknown.exit_code != 0
