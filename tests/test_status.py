"""The case status pages: sign-in, lockout, throttle, session, feedback display, sign-out."""

import hashlib
import re

import pytest
from case_helpers import (
    PIN,
    as_read,
    case_body,
    create_case,
    csrf_token,
    database_dump,
    image_hash,
    sign_in,
)
from openncii import cases, exchange
from openncii.models import Case, CaseHash, Feedback, Partner

FAILED = "We could not open a case with this case number and PIN."
PAUSED = "signing in with this case number is paused"


def text(response):
    return response.get_data(as_text=True)


def main_of(response):
    """The page's main content without the per-session CSRF token."""
    html = text(response)
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'value="[^"]+"', "", main)


@pytest.fixture
def client(storage_app):
    return storage_app.test_client()


def test_lookup_form_works_without_javascript(client):
    response = client.get("/en/status")
    html = text(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert '<form method="post" action="/en/status"' in html
    assert 'name="case_number"' in html and 'type="password"' in html


def test_form_errors_link_to_their_fields(client):
    response = client.post(
        "/en/status",
        data={"csrf_token": csrf_token(client), "case_number": "F45V-MEC9-N82F-3N9", "pin": ""},
    )
    html = text(response)
    assert response.status_code == 400
    assert '<li><a href="#case_number">Check your case number.' in html
    assert '<li><a href="#pin">Enter your PIN.</a></li>' in html
    assert 'aria-describedby="case_number-hint case_number-error"' in html
    assert html.count('class="error-summary"') == 1


@pytest.mark.parametrize("lang", ["en", "ar", "he"])
def test_example_case_number_stays_left_to_right(client, lang):
    example = cases.EXAMPLE_CASE_NUMBER
    assert cases.parse_case_number(example) is not None
    assert f'<bdi dir="ltr">{example}</bdi>' in text(client.get(f"/{lang}/status"))
    refused = client.post(
        f"/{lang}/status",
        data={"csrf_token": csrf_token(client, lang), "case_number": "F45V", "pin": PIN},
    )
    assert f"\u2066{example}\u2069" in text(refused)


def test_wrong_pin_and_unknown_case_look_the_same(client):
    number = create_case(client)
    wrong_pin = sign_in(client, number, "not-my-pin-9")
    unknown = sign_in(client, cases.format_case_number(cases.new_case_number()), "not-my-pin-9")
    assert wrong_pin.status_code == unknown.status_code == 400
    assert FAILED in text(wrong_pin)
    assert main_of(wrong_pin) == main_of(unknown)


def test_lockout_through_the_form(client):
    number = create_case(client)
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(cases.VISITOR_FREE_TRIES - 1):
        refused = sign_in(client, number, "not-my-pin-9", environ_base=attacker)
        assert FAILED in text(refused) and "paused" not in text(refused)
    paused = text(sign_in(client, number, "not-my-pin-9", environ_base=attacker))
    assert PAUSED in paused and "try again in 1 minute." in paused
    assert f'value="{number}"' in paused  # the case number is still typed
    assert 'href="/en/faq#lost-pin"' in paused
    locked = sign_in(client, number, environ_base=attacker)  # the right PIN, while paused
    assert locked.status_code == 400 and PAUSED in text(locked)
    owner = sign_in(client, number, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert owner.status_code == 302


def test_paused_and_unknown_look_the_same(client):
    number = create_case(client)
    unknown = cases.format_case_number(cases.new_case_number())
    for _ in range(cases.VISITOR_FREE_TRIES + 1):
        wrong, missing = (
            sign_in(client, number, "not-my-pin-9"),
            sign_in(client, unknown, "x-1-y-2"),
        )
        assert main_of(wrong).replace(number, unknown) == main_of(missing)
    assert PAUSED in text(wrong)


def test_per_client_throttle(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    token = csrf_token(client)
    answers = [
        client.post(
            "/en/status",
            data={"csrf_token": token, "case_number": "x", "pin": "y"},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        ).status_code
        for _ in range(11)
    ]
    assert answers == [400] * 10 + [429]
    throttled = client.post(
        "/en/status",
        data={"csrf_token": token, "case_number": "7K2Q-DM9X", "pin": "typed-pin"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    html = text(throttled)
    assert "too many tries from here in a short time. Please try again in 1 minute." in html
    assert 'value="7K2Q-DM9X"' in html and "typed-pin" not in html  # the form, as typed
    assert 'data-testid="status-lookup"' in html and 'href="/en/faq#lost-pin"' in html
    other = client.post(
        "/en/status", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "198.51.100.8"}
    )
    assert other.status_code == 400
    assert client.get("/en/status", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200


def test_client_key_is_a_daily_keyed_hash(app, monkeypatch):
    from openncii import limits

    def key(address, day):
        monkeypatch.setattr(limits.time, "time", lambda: day * 86400 + 5)
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return limits.client_key()

    today = key("203.0.113.9", 20000)
    assert today == key("203.0.113.9", 20000) != key("203.0.113.10", 20000)
    assert "203" not in today and re.fullmatch(r"[0-9a-f]{32}", today)
    assert key("203.0.113.9", 20001) != today


def test_case_page_lists_hashes_and_is_not_stored(client):
    body = case_body()
    number = create_case(client, body)
    sign_in(client, number)
    response = client.get("/en/status")
    html = text(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert '<html lang="en" dir="ltr" data-no-restore>' in html  # reloads, never from cache
    assert "data-no-restore" in text(client.get("/en/submit/done"))
    assert "data-no-restore" not in text(client.get("/en/submit"))
    shown = re.findall(r'<code dir="ltr" class="hash" data-testid="hash-value">(\w+)</code>', html)
    assert shown == [item["hashValue"] for item in body["hashes"]]
    assert re.findall(r'data-kind="(\w+)" data-state="(\w+)"', html) == [
        ("picture", "received"),
        ("video", "received"),
        ("picture", "received"),
    ]
    assert "2 pictures and 1 video — no matches yet" in html
    assert "Fingerprints of 1 frame from the video" not in html  # singular
    assert "Fingerprint of 1 frame from the video" in html
    assert "<summary>Show the fingerprints</summary>" in html
    assert html.index('href="#withdraw"') < html.index("What happens next")


def test_session_lasts_fifteen_minutes(client, monkeypatch):
    from openncii import case_sessions

    number = create_case(client)
    sign_in(client, number)
    signed_in = case_sessions.time.time()
    monkeypatch.setattr(case_sessions.time, "time", lambda: signed_in + 14 * 60)
    assert 'data-testid="case-files"' in text(client.get("/en/status"))
    monkeypatch.setattr(case_sessions.time, "time", lambda: signed_in + 15 * 60 + 1)
    expired = text(client.get("/en/status"))
    assert 'data-testid="case-files"' not in expired and "signed out after 15 minutes" in expired
    with client.session_transaction() as session:
        assert "case" not in session


def session_cookie(client):
    return client.get_cookie("session").value


def replay(storage_app, cookie):
    """A second browser holding a copy of the first one's session cookie."""
    thief = storage_app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_sign_out_ends_the_session_for_copies_of_the_cookie_too(client, storage_app):
    sign_in(client, create_case(client))
    copied = session_cookie(client)
    assert 'data-testid="case-files"' in text(replay(storage_app, copied).get("/en/status"))
    response = client.post(
        "/en/status/sign-out", data={"csrf_token": csrf_token(client)}, follow_redirects=True
    )
    assert "You have signed out" in text(response)
    assert 'data-testid="case-files"' not in text(response)
    withdraw = client.post("/en/status/withdraw", data={"csrf_token": csrf_token(client)})
    assert withdraw.status_code == 302
    thief = replay(storage_app, copied)
    assert 'data-testid="case-files"' not in text(thief.get("/en/status"))
    assert (
        thief.post("/en/status/withdraw", data={"csrf_token": csrf_token(thief)}).status_code == 302
    )
    with storage_app.app_context():
        assert Case.get().status == "active"


def test_quick_exit_signs_out_without_a_token_but_only_from_this_site(client):
    sign_in(client, create_case(client))
    cross_site = client.post(
        "/en/status/sign-out", data={"quick": "1"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    assert 'data-testid="case-files"' in text(client.get("/en/status"))
    other_origin = client.post(
        "/en/status/sign-out", data={"quick": "1"}, headers={"Origin": "https://evil.example"}
    )
    assert other_origin.status_code == 403
    quick = client.post(
        "/en/status/sign-out", data={"quick": "1"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert quick.status_code == 204
    assert 'data-testid="case-files"' not in text(client.get("/en/status"))


def test_quick_exit_ends_the_hand_over_of_a_new_case_number(client):
    number = create_case(client)
    assert number in as_read(client.get("/en/submit/done"))
    quick = client.post(
        "/en/status/sign-out", data={"quick": "1"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert quick.status_code == 204
    assert number not in as_read(client.get("/en/submit/done"))


def test_the_database_keeps_only_a_hash_of_the_session_token(client, storage_app):
    sign_in(client, create_case(client))
    serializer = storage_app.session_interface.get_signing_serializer(storage_app)
    token = serializer.loads(session_cookie(client))["case"]
    assert len(token) >= 40
    dump = database_dump(storage_app)
    assert token.encode() not in dump
    assert hashlib.sha256(token.encode()).hexdigest().encode() in dump


def test_the_cookie_never_holds_the_case_number(client):
    number = create_case(client)
    canonical = cases.parse_case_number(number)
    with client.session_transaction() as session:
        assert canonical not in repr(dict(session)) and number not in repr(dict(session))
    sign_in(client, number)
    with client.session_transaction() as session:
        assert canonical not in repr(dict(session)) and number not in repr(dict(session))
        assert set(session) >= {"case", "new_case"}


@pytest.mark.parametrize(
    "fields",
    [
        {"pin": PIN},  # no tick
        {"pin": PIN, "confirm": "false"},  # a tick that says no
        {"pin": PIN, "confirm": ""},
        {"confirm": "y"},  # no PIN
        {"pin": "not-my-pin-9", "confirm": "y"},  # the wrong PIN
    ],
)
def test_withdrawal_needs_the_pin_and_a_true_confirmation(client, storage_app, fields):
    sign_in(client, create_case(client))
    refused = client.post(
        "/en/status/withdraw", data={"csrf_token": csrf_token(client), "step": "confirm", **fields}
    )
    assert refused.status_code == 400
    assert 'href="#confirm"' in text(refused) or 'href="#pin"' in text(refused)
    with storage_app.app_context():
        assert Case.get().status == "active"


def test_withdrawal_ends_every_session_of_the_case(client, storage_app):
    number = create_case(client)
    sign_in(client, number)
    other_browser = storage_app.test_client()
    sign_in(other_browser, number)
    copied = session_cookie(client)
    assert confirm(client, csrf_token(client)).status_code == 302
    with storage_app.app_context():
        assert Case.select().count() == 0  # erased
    for browser in (client, other_browser, replay(storage_app, copied)):
        assert 'data-testid="case-files"' not in text(browser.get("/en/status"))


def feedback_page(client, storage_app, show_names):
    storage_app.config["SHOW_PARTNER_NAMES"] = show_names
    number = create_case(client, case_body([image_hash(), image_hash()]))
    with storage_app.app_context():
        partner = Partner.create(name="ExampleSocial", key_id="e", key_hash="x")
        first = CaseHash.get(CaseHash.position == 0)
        Feedback.create(partner=partner, signal=first.signal_id, value="Blocked")
    sign_in(client, number)
    return text(client.get("/en/status"))


def test_feedback_shows_without_partner_names_by_default(client, storage_app):
    html = feedback_page(client, storage_app, show_names=False)
    assert re.findall(r'data-state="(\w+)"', html) == ["blocked", "received"]
    assert "2 pictures — 1 match found" in html
    assert "ExampleSocial" not in html and "Reported by 1 partner platform." in html


def test_sharing_line_follows_partner_fetches(client, storage_app):
    number = create_case(client)
    sign_in(client, number)
    assert "No partner platform is connected yet." in text(client.get("/en/status"))
    with storage_app.app_context():
        partner = Partner.create(name="ExampleSocial", key_id="e", key_hash="x")
    assert "Received, waiting for partner platforms" in text(client.get("/en/status"))
    with storage_app.app_context():
        exchange.fetch_page(0, 800, partner=partner)
    html = text(client.get("/en/status"))
    assert "Shared: 1 partner platform has your fingerprints." in html
    assert re.findall(r'data-state="(\w+)"', html) == ["shared"] * 3


def test_partner_names_when_the_operator_allows(client, storage_app):
    html = feedback_page(client, storage_app, show_names=True)
    assert "<li><bdi>ExampleSocial</bdi>: Blocked</li>" in html


def test_times_are_localized(client, storage_app):
    number = create_case(client)
    with storage_app.app_context():
        Case.update(created_at=1_700_000_000, updated_at=1_700_000_000).execute()
    sign_in(client, number, lang="es")
    spanish = text(client.get("/es/status"))
    assert "14 de noviembre de 2023, 22:13 UTC" in spanish  # to the minute, no seconds
    assert ":20" not in spanish
    assert '<html lang="es"' in spanish
    arabic = text(client.get("/ar/status"))
    assert f'<bdi dir="ltr" class="case-number" data-testid="case-number">{number}</bdi>' in arabic
    assert 'dir="rtl"' in arabic


def confirm(client, token):
    return client.post(
        "/en/status/withdraw",
        data={"csrf_token": token, "step": "confirm", "confirm": "y", "pin": PIN},
    )


def test_withdrawn_case_cannot_be_reactivated(client, storage_app):
    number = create_case(client)
    sign_in(client, number)
    token = csrf_token(client)
    confirm(client, token)
    with storage_app.app_context():
        assert Case.select().count() == 0
    assert confirm(client, token).status_code == 302  # signed out: back to the sign-in form
    reopened = sign_in(client, number, PIN)
    unknown = sign_in(client, cases.format_case_number(cases.new_case_number()), PIN)
    assert reopened.status_code == unknown.status_code == 400 and FAILED in text(reopened)
    assert main_of(reopened) == main_of(unknown)
