"""Signing in to a case: the lockout, its buckets, concurrency and equal bcrypt work.

The design and its numbers are in the docstring of :mod:`openncii.cases`.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import pytest
import requests
from case_helpers import PIN, case_body, create_case
from conftest import csrf_token_of
from openncii import cases
from openncii.models import Case, SignInAttempts

ROUNDS = 5
WRONG = "not-my-pin-9"
ATTACKER, OWNER = "attacker-key", "owner-key"


class Clock:
    def __init__(self):
        self.now = 1_800_000_000

    def __call__(self):
        return self.now


@pytest.fixture
def db(storage_app):
    with storage_app.app_context():
        from openncii.db import database

        with database.connection_context():
            yield storage_app


@pytest.fixture
def clock():
    return Clock()


def create(rounds=ROUNDS):
    pin, hashes = cases.validate_submission(case_body(), 20)
    return cases.create_case(pin, hashes, rounds)


def sign_in(number, pin, visitor, clock):
    return cases.sign_in(number, pin, visitor, ROUNDS, clock)


class Checks(list):
    """The cost of every bcrypt check made, in order; ``against`` the hashes checked."""

    def __init__(self):
        super().__init__()
        self.against = []

    def clear(self):
        super().clear()
        self.against.clear()


@pytest.fixture
def checks(monkeypatch):
    """Records each bcrypt check (a spy: the real check still runs)."""
    made = Checks()
    real = bcrypt.checkpw

    def spy(pin, stored):
        made.append(int(stored[4:6]))
        made.against.append(stored.decode())
        return real(pin, stored)

    monkeypatch.setattr(cases.bcrypt, "checkpw", spy)
    return made


def test_right_pin_opens_and_wrong_pin_or_unknown_case_look_alike(db, clock):
    number = create()
    assert sign_in(number, PIN, OWNER, clock).case.number == number
    unknown = cases.new_case_number()
    for _ in range(cases.VISITOR_FREE_TRIES + 2):
        wrong, missing = (
            sign_in(number, WRONG, ATTACKER, clock),
            sign_in(unknown, WRONG, ATTACKER, clock),
        )
        assert wrong == missing and wrong.case is None
    assert wrong.wait > 0  # both paused alike
    assert sign_in(None, PIN, OWNER, clock) == cases.SignIn(None, 0)


def test_every_path_costs_one_check_at_the_current_cost(db, clock, checks):
    number, unknown = create(), cases.new_case_number()
    for attempt in [
        (number, PIN),
        (number, WRONG),
        (unknown, PIN),
    ]:
        checks.clear()
        sign_in(*attempt, OWNER, clock)
        assert checks == [ROUNDS], attempt
    for _ in range(cases.VISITOR_FREE_TRIES):
        sign_in(number, WRONG, ATTACKER, clock)
    checks.clear()
    paused = sign_in(number, PIN, ATTACKER, clock)
    assert paused.case is None and paused.wait > 0 and checks == [ROUNDS]


def test_a_pin_hashed_at_an_older_cost_is_padded_then_rehashed(db, clock, checks):
    number = create(rounds=4)
    sign_in(number, WRONG, OWNER, clock)
    assert sum(2**cost for cost in checks) == 2**ROUNDS and checks[0] == 4
    assert Case.get().pin_hash.startswith("$2b$04$")
    checks.clear()
    assert sign_in(number, PIN, OWNER, clock).case is not None
    assert sum(2**cost for cost in checks) == 2**ROUNDS
    assert Case.get().pin_hash.startswith(f"$2b$0{ROUNDS}$")
    assert bcrypt.checkpw(PIN.encode(), Case.get().pin_hash.encode())
    checks.clear()
    sign_in(number, WRONG, OWNER, clock)
    assert checks == [ROUNDS]


def test_visitor_pause_grows_holds_the_right_pin_and_resets_on_success(db, clock):
    number = create()
    waits = [sign_in(number, WRONG, ATTACKER, clock).wait for _ in range(cases.VISITOR_FREE_TRIES)]
    assert waits == [0] * (cases.VISITOR_FREE_TRIES - 1) + [60]
    held = sign_in(number, PIN, ATTACKER, clock)
    assert held.case is None and held.wait == 60  # paused: even the right PIN
    clock.now += 30
    assert sign_in(number, WRONG, ATTACKER, clock).wait == 30  # not counted while paused
    clock.now += 31
    assert sign_in(number, WRONG, ATTACKER, clock).wait == 120
    clock.now += 121
    assert sign_in(number, PIN, ATTACKER, clock).case is not None
    assert SignInAttempts.select().count() == 0  # success clears both buckets
    assert [sign_in(number, WRONG, ATTACKER, clock).wait for _ in range(2)] == [0, 0]


def test_pauses_stop_at_an_hour_and_are_forgotten_after_a_day():
    visitor = (cases.VISITOR_FREE_TRIES, cases.VISITOR_MAX_PAUSE)
    assert [cases.pause_seconds(n, *visitor) for n in (4, 5, 6, 7)] == [0, 60, 120, 240]
    assert cases.pause_seconds(40, *visitor) == 3600
    case = (cases.CASE_FREE_TRIES, cases.CASE_MAX_PAUSE)
    assert cases.pause_seconds(99, *case) == 0 and cases.pause_seconds(100, *case) == 60
    assert cases.ATTEMPTS_KEPT == 24 * 3600


def test_the_owner_signs_in_while_the_attacker_is_paused(db, clock):
    number = create()
    for _ in range(cases.VISITOR_FREE_TRIES + 3):
        clock.now += 3600
        sign_in(number, WRONG, ATTACKER, clock)
    assert sign_in(number, PIN, ATTACKER, clock).case is None
    assert sign_in(number, PIN, OWNER, clock).case.number == number
    assert sign_in(number, PIN, ATTACKER, clock).case is None  # still paused for them


def test_guessing_from_many_places_pauses_signing_in_for_everyone(db, clock):
    number = create()
    for place in range(cases.CASE_FREE_TRIES):
        sign_in(number, WRONG, f"visitor-{place}", clock)
    refused = sign_in(number, PIN, OWNER, clock)
    assert refused.case is None and refused.wait == 60
    clock.now += 61
    assert sign_in(number, PIN, OWNER, clock).case is not None


def test_buckets_hold_no_case_number_or_visitor_key(db, clock):
    number = create()
    sign_in(number, WRONG, ATTACKER, clock)
    stored = " ".join(row.bucket for row in SignInAttempts.select())
    assert number not in stored and ATTACKER not in stored
    assert SignInAttempts.select().count() == 2
    clock.now += cases.ATTEMPTS_KEPT
    sign_in(cases.new_case_number(), WRONG, OWNER, clock)
    assert SignInAttempts.select().count() == 2  # the day-old buckets are gone


# ------------------------------------------------- concurrency, through a real server


def post_sign_in(browser, base_url, number, pin):
    token = csrf_token_of(browser.get(f"{base_url}/en/status", timeout=30).text)
    return browser.post(
        f"{base_url}/en/status",
        data={"csrf_token": token, "case_number": number, "pin": pin},
        allow_redirects=False,
        timeout=120,
    )


def test_twenty_wrong_pins_at_once_then_the_right_one(storage_app, serve, checks):
    """All from one visitor: at most VISITOR_FREE_TRIES real checks run, then it is paused."""
    storage_app.config["BCRYPT_ROUNDS"] = 8  # slow enough for the tries to overlap
    client = storage_app.test_client()
    number = create_case(client)
    base_url = serve(storage_app)
    barrier = threading.Barrier(20)

    def guess(_):
        with requests.Session() as browser:
            token = csrf_token_of(browser.get(f"{base_url}/en/status", timeout=30).text)
            barrier.wait(timeout=60)
            return browser.post(
                f"{base_url}/en/status",
                data={"csrf_token": token, "case_number": number, "pin": WRONG},
                allow_redirects=False,
                timeout=120,
            ).status_code

    checks.clear()
    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(guess, range(20))) == [400] * 20
    with requests.Session() as browser:
        refused = post_sign_in(browser, base_url, number, PIN)
    assert (
        refused.status_code == 400 and "signing in with this case number is paused" in refused.text
    )
    assert checks == [8] * 21  # every try cost one check at the configured cost
    with storage_app.app_context():
        real = Case.get().pin_hash
    assert checks.against.count(real) == cases.VISITOR_FREE_TRIES  # the rest met a decoy
