"""The case store without HTTP: numbers, PINs, validation, writing, status, stats.

Signing in and its lockout: tests/test_sign_in.py."""

import bcrypt
import pytest
from case_helpers import case_body, image_hash, video_hash
from hypothesis import given
from hypothesis import strategies as st
from openncii import cases, exchange
from openncii.models import Case, CaseHash, Change, Feedback, Partner, Signal, WithdrawnHash

ROUNDS = 4
numbers = st.text(alphabet=cases.ALPHABET, min_size=14, max_size=14).map(
    lambda symbols: symbols + cases.check_symbols(symbols)
)


# ------------------------------------------------------------------ numbers


def test_new_numbers_are_random_checked_and_readable():
    made = {cases.new_case_number() for _ in range(500)}
    assert len(made) == 500
    assert cases.RANDOM_SYMBOLS * 5 >= 60  # bits of randomness
    for number in made:
        assert cases.parse_case_number(number) == number
        shown = cases.format_case_number(number)
        assert [len(group) for group in shown.split("-")] == [4, 4, 4, 4]
        assert not set(number) & set("ILOU")


@given(numbers)
def test_typing_variants_are_accepted(number):
    shown = cases.format_case_number(number)
    assert cases.parse_case_number(shown.lower()) == number
    assert cases.parse_case_number(" " + shown.replace("-", " ") + " ") == number
    assert cases.parse_case_number(number.replace("0", "O").replace("1", "l")) == number


@given(numbers, st.data())
def test_any_single_typo_is_caught(number, data):
    position = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([c for c in cases.ALPHABET if c != number[position]]))
    assert cases.parse_case_number(number[:position] + wrong + number[position + 1 :]) is None


@given(numbers, st.data())
def test_any_swap_of_two_symbols_is_caught(number, data):
    first, second = sorted(
        data.draw(st.lists(st.integers(0, len(number) - 1), min_size=2, max_size=2, unique=True))
    )
    swapped = list(number)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    swapped = "".join(swapped)
    assert swapped == number or cases.parse_case_number(swapped) is None


@given(numbers, st.data())
def test_any_two_typos_are_caught(number, data):
    positions = data.draw(
        st.lists(st.integers(0, len(number) - 1), min_size=2, max_size=2, unique=True)
    )
    typed = list(number)
    for position in positions:
        typed[position] = data.draw(
            st.sampled_from([char for char in cases.ALPHABET if char != number[position]])
        )
    assert cases.parse_case_number("".join(typed)) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ABC",
        "F45V-MEC9-N82F-3N9",
        "F45V-MEC9-N82F-3N955",
        "UUUU-UUUU-UUUU-UUUU",
        "F45V-MEC9-N82F-3N*5",
        None,
    ],
)
def test_malformed_numbers_are_refused(text):
    assert cases.parse_case_number(text) is None


# --------------------------------------------------------------------- PINs


@pytest.mark.parametrize(
    "pin, problem",
    [
        ("tulip-river-7", None),
        ("8391kq", None),
        ("Ω-seven-seven", None),
        ("12345", "pin_short"),
        ("x" * 65, "pin_long"),
        ("ü" * 40, "pin_long"),
        (123456, "pin_type"),
        (None, "pin_type"),
        ("123456", "pin_common"),
        ("password", "pin_common"),
        ("QWERTY", "pin_common"),
        ("777777777", "pin_common"),
        ("345678", "pin_common"),
        ("fedcba", "pin_common"),
        ("98765432", "pin_common"),
    ],
)
def test_pin_policy(pin, problem):
    assert cases.pin_problem(pin) == problem


# --------------------------------------------------------------- validation


def codes(body, max_files=20):
    with pytest.raises(cases.Invalid) as refused:
        cases.validate_submission(body, max_files)
    return [(problem.code, problem.index) for problem in refused.value.problems]


def test_a_valid_body_is_read_and_lowercased():
    body = case_body([image_hash(hashValue="AB" * 32), video_hash(), image_hash(frameOf=1)])
    pin, hashes = cases.validate_submission(body, 20)
    assert pin == body["pin"]
    assert hashes[0].value == "ab" * 32
    assert [item.frame_of for item in hashes] == [None, None, 1]


@pytest.mark.parametrize(
    "body, expected",
    [
        ([], [("body", None)]),
        (case_body(consent=False), [("consent", None)]),
        ({**case_body(), "consent": "yes"}, [("consent", None)]),
        (case_body(pin="1234"), [("pin_short", None)]),
        (case_body(hashes=[]), [("hashes", None)]),
        (case_body(hashes="abc"), [("hashes", None)]),
        (case_body(hashes=["abc"]), [("item", 0)]),
        (case_body(hashes=[{"signalType": "TMK", "hashValue": "ab" * 32}]), [("signal_type", 0)]),
        (case_body(hashes=[image_hash(hashValue="ab" * 31)]), [("hash_value", 0)]),
        (case_body(hashes=[image_hash(hashValue="zz" * 32)]), [("hash_value", 0)]),
        (
            case_body(hashes=[{"signalType": "VideoMD5", "hashValue": "ab" * 32}]),
            [("hash_value", 0)],
        ),
        (case_body(hashes=[image_hash(quality=101)]), [("quality", 0)]),
        (case_body(hashes=[image_hash(quality=True)]), [("quality", 0)]),
        (case_body(hashes=[{**video_hash(), "quality": 50}]), [("quality", 0)]),
        (case_body(hashes=[image_hash(), image_hash(frameOf=0)]), [("frame_of", 1)]),
        (case_body(hashes=[video_hash(), image_hash(frameOf=5)]), [("frame_of", 1)]),
        (case_body(hashes=[video_hash(), image_hash(frameOf="0")]), [("frame_of", 1)]),
        (
            case_body(hashes=[image_hash(hashValue="ab" * 32), image_hash(hashValue="AB" * 32)]),
            [("duplicate", 1)],
        ),
    ],
)
def test_each_kind_of_bad_body_is_named(body, expected):
    assert codes(body) == expected


def test_at_most_twenty_files_and_frames_count_with_their_video():
    video = [video_hash()] + [image_hash(frameOf=0) for _ in range(30)]
    body = case_body(video + [image_hash() for _ in range(19)])
    assert len(cases.validate_submission(body, 20)[1]) == 50
    body["hashes"].append(image_hash())
    assert codes(body) == [("too_many_files", 50)]


def test_frames_per_video_are_capped():
    frames = [image_hash(frameOf=0) for _ in range(cases.MAX_FRAMES_PER_VIDEO + 1)]
    assert codes(case_body([video_hash()] + frames)) == [("too_many_frames", len(frames))]


# ---------------------------------------------------------- writing a case


@pytest.fixture
def db(storage_app):
    with storage_app.app_context():
        from openncii.db import database

        with database.connection_context():
            yield storage_app


def create(body=None):
    pin, hashes = cases.validate_submission(body or case_body(), 20)
    return cases.create_case(pin, hashes, ROUNDS)


def test_create_case_stores_hashes_in_order_and_logs_them(db):
    body = case_body()
    number = create(body)
    case = Case.get(Case.number == number)
    assert bcrypt.checkpw(body["pin"].encode(), case.pin_hash.encode())
    assert case.status == "active" and len(case.reference) == 32 and case.reference != number
    rows = list(CaseHash.select().where(CaseHash.case == case).order_by(CaseHash.position))
    assert [(row.signal.value, row.quality) for row in rows] == [
        (item["hashValue"], item.get("quality")) for item in body["hashes"]
    ]
    assert rows[2].frame_of == rows[1] and rows[0].frame_of is None
    logged = sorted(change.signal_id for change in Change.select())
    assert logged == sorted(row.signal_id for row in rows)
    assert {change.reason for change in Change.select()} == {"case_created"}


def test_cases_share_signals_for_the_same_hash(db):
    shared = image_hash()
    create(case_body([shared, image_hash()]))
    create(case_body([dict(shared, hashValue=shared["hashValue"].upper())]))
    assert Signal.select().count() == 2
    assert CaseHash.select().count() == 3


def test_withdraw_erases_the_case_and_is_logged_once(db):
    case = Case.get(Case.number == create())
    assert cases.withdraw(case.id) is True
    assert cases.withdraw(case.id) is False
    assert Case.get_or_none(Case.id == case.id) is None  # number and PIN hash are gone
    assert CaseHash.select().count() == 0
    assert {(row.reference, row.signal_id) for row in WithdrawnHash.select()} == {
        (case.reference, signal.id) for signal in Signal.select()
    }
    assert Change.select().where(Change.reason == "case_withdrawn").count() == 4
    seqs = [change.seq for change in Change.select().order_by(Change.seq)]
    ats = [change.at for change in Change.select().order_by(Change.seq)]
    assert ats == sorted(ats) and len(set(seqs)) == len(seqs)


# ------------------------------------------------------------- case status


def give_feedback(partner, signal_id, value, at):
    Feedback.create(partner=partner, signal=signal_id, value=value, updated_at=at)


def test_status_follows_partner_feedback(db):
    number = create(case_body([image_hash(), image_hash(), image_hash(), video_hash()]))
    case = Case.get(Case.number == number)
    status = cases.case_status(case.id)
    assert [item.state for item in status.hashes] == ["received"] * 4
    alpha = Partner.create(name="Alpha", key_id="a", key_hash="x")
    beta = Partner.create(name="Beta", key_id="b", key_hash="y")
    signals = [item.signal_id for item in case.hashes.order_by(CaseHash.position)]
    give_feedback(alpha, signals[0], "PendingReview", case.updated_at + 10)
    give_feedback(alpha, signals[1], "Blocked", case.updated_at + 20)
    give_feedback(beta, signals[1], "NotBlocked", case.updated_at + 30)
    give_feedback(beta, signals[2], "NotBlocked", case.updated_at + 5)
    give_feedback(beta, signals[3], "QualityUnknown", case.updated_at + 5)
    status = cases.case_status(case.id)
    assert [item.state for item in status.hashes] == [
        "under_review",
        "blocked",
        "not_removed",
        "received",  # no partner has fetched it yet
    ]
    exchange.fetch_page(0, 800, partner=beta)
    status = cases.case_status(case.id)
    assert [item.state for item in status.hashes][3] == "shared"
    assert [item.partners for item in status.hashes] == [1, 1, 1, 1] and status.partners == 1
    assert status.hashes[1].reports == [("Alpha", "blocked"), ("Beta", "not_removed")]
    assert status.hashes[1].changed_at == case.updated_at + 30
    assert status.hashes[3].changed_at == case.updated_at
    cases.withdraw(case.id)
    assert cases.case_status(case.id) is None


def test_stats_are_aggregate_counts(db):
    create()
    withdrawn = Case.get(Case.number == create(case_body([video_hash()])))
    cases.withdraw(withdrawn.id)
    partner = Partner.create(name="Alpha", key_id="a", key_hash="x")
    give_feedback(partner, Signal.select().first().id, "Blocked", 1)
    figures = cases.stats()
    assert figures == {
        "cases": {"active": 1, "withdrawn": 1},
        "case_hashes": {"ImagePDQ": 3, "VideoMD5": 1},
        "distinct_hashes": 5,
        "partners": {"active": 1, "total": 1},
        "feedback_by_partner": {"Alpha": {"Blocked": 1}},
    }


def test_cli_prints_aggregate_counts_only(app):
    with app.app_context():
        from openncii.db import database

        with database.connection_context():
            number = create(case_body([image_hash(), video_hash()]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cases", "stats"])
    assert result.exit_code == 0, result.output
    assert "Cases: 1 active, 0 withdrawn" in result.output
    assert "Hashes in cases: 1 ImagePDQ, 1 VideoMD5" in result.output
    assert number not in result.output
    as_json = runner.invoke(args=["cases", "stats", "--json"])
    assert '"distinct_hashes": 2' in as_json.output
