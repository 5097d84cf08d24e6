"""POST /api/cases and the confirmation page, through HTTP, on SQLite and PostgreSQL."""

import re

import pytest
from case_helpers import (
    PIN,
    as_read,
    case_body,
    create_case,
    csrf_token,
    image_hash,
    post_case,
    sign_in,
    snapshot,
    video_hash,
)


@pytest.fixture
def client(storage_app):
    return storage_app.test_client()


def page_text(response):
    return response.get_data(as_text=True)


def test_create_status_withdraw_round_trip(client):
    body = case_body()
    number = create_case(client, body)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", number)

    done = client.get("/en/submit/done")
    assert number in as_read(done) and done.headers["Cache-Control"] == "no-store"

    assert sign_in(client, number.lower().replace("-", " ")).status_code == 302
    case_page = page_text(client.get("/en/status"))
    shown = re.findall(r'data-testid="hash-value">([0-9a-f]+)<', case_page)
    assert shown == [item["hashValue"] for item in body["hashes"]]
    assert number in case_page

    token = csrf_token(client)
    asked = client.post("/en/status/withdraw", data={"csrf_token": token})
    assert asked.status_code == 200 and "may keep removing" in page_text(asked)
    assert "withdrawn" not in re.findall(r'data-state="(\w+)"', page_text(client.get("/en/status")))
    withdrawn = client.post(
        "/en/status/withdraw",
        data={"csrf_token": token, "step": "confirm", "confirm": "y", "pin": PIN},
    )
    assert withdrawn.status_code == 302
    after = page_text(client.get("/en/status"))  # signed out: the sign-in form, and a notice
    assert "Your case is withdrawn." in after and 'data-testid="status-lookup"' in after
    assert number not in as_read(client.get("/en/status"))
    assert sign_in(client, number).status_code == 400  # the case no longer exists


def test_frames_and_quality_reach_the_database(client, storage_app):
    body = case_body([video_hash(), image_hash(frameOf=0, quality=42)])
    create_case(client, body)
    with storage_app.app_context():
        from openncii.models import CaseHash

        frame = CaseHash.get(CaseHash.position == 1)
        assert (frame.quality, frame.frame_of.position) == (42, 0)


def too_many_files():
    return case_body([image_hash() for _ in range(21)])


BAD_BODIES = {
    "not an object": ["pin"],
    "no consent": case_body(consent=False),
    "short pin": case_body(pin="12ab"),
    "common pin": case_body(pin="123456"),
    "no hashes": case_body(hashes=[]),
    "unknown signal type": case_body([{"signalType": "TMK+PDQF", "hashValue": "ab" * 32}]),
    "short hash": case_body([image_hash(hashValue="ab" * 20)]),
    "not hex": case_body([image_hash(hashValue="g" * 64)]),
    "quality out of range": case_body([image_hash(quality=-1)]),
    "frame of a picture": case_body([image_hash(), image_hash(frameOf=0)]),
    "duplicate": case_body([image_hash(hashValue="ab" * 32)] * 2),
    "21 files": too_many_files(),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bad_bodies_are_refused_and_nothing_is_stored(client, storage_app, name):
    create_case(client)
    before = snapshot(storage_app)
    response = post_case(client, BAD_BODIES[name])
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["error"] and answer["errors"]
    assert all(item["message"] for item in answer["errors"])
    assert snapshot(storage_app) == before


def test_errors_name_the_item_and_field(client):
    body = case_body([image_hash(), image_hash(hashValue="ab"), video_hash()])
    body["hashes"].append(dict(body["hashes"][0]))
    errors = post_case(client, body).get_json()["errors"]
    assert errors == [
        {
            "index": 1,
            "field": "hashValue",
            "message": "ImagePDQ hashes must be 64 hexadecimal characters (0-9, a-f).",
        },
        {
            "index": 3,
            "field": "hashValue",
            "message": "This hash is already in the case (entry 1).",
        },
    ]
    errors = post_case(client, too_many_files()).get_json()["errors"]
    assert errors == [{"index": 20, "message": "A case can hold at most 20 files."}]


def test_messages_with_a_number_take_its_plural_form(make_app):
    client = make_app(MAX_FILES_PER_CASE=1).test_client()
    errors = post_case(client, case_body([image_hash(), image_hash()])).get_json()["errors"]
    assert errors == [{"index": 1, "message": "A case can hold at most 1 file."}]


@pytest.mark.parametrize("kind", ["no token", "wrong token", "form body", "not json", "too large"])
def test_requests_that_are_not_a_case_are_refused(client, storage_app, kind):
    before = snapshot(storage_app)
    token = csrf_token(client)
    if kind == "no token":
        response = client.post("/api/cases", json=case_body())
    elif kind == "wrong token":
        response = post_case(client, case_body(), token="x" + token[1:])
    elif kind == "form body":
        response = client.post("/api/cases", data={"pin": PIN}, headers={"X-CSRFToken": token})
    elif kind == "not json":
        response = client.post(
            "/api/cases",
            data="{pin",
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
    else:
        response = post_case(client, case_body(pin="x" * 2_000_000), token=token)
    assert 400 <= response.status_code < 500
    assert response.is_json and response.get_json()["error"]
    assert snapshot(storage_app) == before


def test_messages_follow_the_requested_language(client, monkeypatch):
    from openncii.views import submit

    seen = []
    original = submit.problem_message
    monkeypatch.setattr(
        submit, "problem_message", lambda problem: seen.append(submit.g.lang) or original(problem)
    )
    post_case(client, case_body(pin="123"), headers={"Accept-Language": "ar"})
    post_case(client, case_body(pin="123", lang="es"), headers={"Accept-Language": "ar"})
    post_case(client, case_body(pin="123", lang="xx"))
    assert seen == ["ar", "es", "en"]


def test_confirmation_page_without_a_new_case(client):
    response = client.get("/en/submit/done")
    assert response.status_code == 200
    assert "no new case number" in page_text(response)
    assert 'data-testid="case-number"' not in response.get_data(as_text=True)


def test_confirmation_needs_the_saved_check_then_forgets_the_number(client):
    number = create_case(client)
    token = csrf_token(client)
    refused = client.post("/en/submit/done", data={"csrf_token": token})
    assert refused.status_code == 200 and 'href="#saved"' in page_text(refused)
    assert number in as_read(refused)
    finished = client.post("/en/submit/done", data={"csrf_token": token, "saved": "y"})
    assert finished.status_code == 302 and finished.location.endswith("/en/status")
    assert number not in as_read(client.get("/en/submit/done"))
    with client.session_transaction() as session:
        assert "new_case" not in session


def test_confirmation_expires(client, monkeypatch):
    from openncii import case_sessions

    number = create_case(client)
    later = case_sessions.time.time() + case_sessions.NEW_CASE_SECONDS + 1
    monkeypatch.setattr(case_sessions.time, "time", lambda: later)
    assert number not in as_read(client.get("/en/submit/done"))


def test_email_option_hidden_without_smtp(client):
    create_case(client)
    assert 'data-testid="email-form"' not in page_text(client.get("/en/submit/done"))
    assert "mail" not in as_read(client.get("/en/submit/done")).lower()


def test_confirmation_page_says_what_is_true_and_what_happens_next(client):
    number = create_case(client)
    html = page_text(client.get("/en/submit/done"))
    groups = number.split("-")
    assert "-<wbr>".join(f'<span class="group">{group}</span>' for group in groups) in html
    assert "cannot show this number again, and" not in html
    assert "until you tick the box below and for 30 minutes at most" in html
    assert "What happens next" in html and 'href="/en/support"' in html
