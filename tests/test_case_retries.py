"""Retrying POST /api/cases with an Idempotency-Key: one case, whatever the network did.

On SQLite and PostgreSQL, through the HTTP interface. (The fault tests in
``test_faults.py`` do the same through real sockets that break.)
"""

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from case_helpers import PIN, as_read, case_body, database_dump, post_case, snapshot
from openncii import cases
from openncii.models import Case, CaseRequest


@pytest.fixture
def client(storage_app):
    return storage_app.test_client()


def key():
    return secrets.token_urlsafe(24)


def send(client, body, request_key):
    return post_case(client, body, headers={"Idempotency-Key": request_key})


def case_count(app):
    with app.app_context():
        return Case.select().count()


def test_the_same_key_and_body_get_the_same_case(client, storage_app):
    body, request_key = case_body(), key()
    first = send(client, body, request_key)
    again = send(client, body, request_key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert case_count(storage_app) == 1
    # The confirmation page shows it after the retry too.
    assert first.get_json()["caseNumber"] in as_read(client.get("/en/submit/done"))


def test_without_a_key_every_post_is_a_new_case(client, storage_app):
    body = case_body()
    post_case(client, body)
    body["hashes"] = case_body()["hashes"]
    post_case(client, body)
    assert case_count(storage_app) == 2


def test_another_key_is_another_case(client, storage_app):
    assert send(client, case_body(), key()).status_code == 201
    assert send(client, case_body(), key()).status_code == 201
    assert case_count(storage_app) == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body["hashes"].pop(),
        lambda body: body.update(hashes=[body["hashes"][i] for i in (3, 1, 2, 0)]),
        lambda body: body["hashes"][0].update(quality=12),
        lambda body: body.update(pin="another-pin-42"),
    ],
    ids=["fewer hashes", "other order", "other quality", "other PIN"],
)
def test_the_same_key_with_another_body_is_refused(client, storage_app, change):
    body, request_key = case_body(), key()
    assert send(client, body, request_key).status_code == 201
    before = snapshot(storage_app)
    change(body)
    refused = send(client, body, request_key)
    assert refused.status_code == 422
    assert refused.get_json() == {
        "error": "The case was not created. Nothing was stored.",
        "errors": [
            {
                "message": "This Idempotency-Key was already used for a different case. "
                "Nothing was stored."
            }
        ],
    }
    assert snapshot(storage_app) == before


@pytest.mark.parametrize("bad", ["short", "x" * 129, "no spaces in keys", "ünïcödé-key-1234567"])
def test_a_malformed_key_is_refused(client, storage_app, bad):
    refused = post_case(client, case_body(), headers={"Idempotency-Key": bad.encode()})
    assert refused.status_code == 400
    assert "Idempotency-Key" in refused.get_json()["errors"][0]["message"]
    assert case_count(storage_app) == 0


def test_copies_sent_at_once_make_one_case(storage_app):
    body, request_key = case_body(), key()

    def attempt(_):
        client = storage_app.test_client()
        return send(client, body, request_key).get_json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(8)))
    assert len({answer["caseNumber"] for answer in answers}) == 1
    assert case_count(storage_app) == 1


def test_keys_are_forgotten_after_a_day(client, storage_app, monkeypatch):
    body, request_key = case_body(), key()
    first = send(client, body, request_key).get_json()["caseNumber"]
    later = cases.now() + cases.REQUEST_SECONDS
    monkeypatch.setattr(cases, "now", lambda: later)
    # After the window the key means nothing: the same body makes a new case (a browser
    # never keeps its key that long), and the old request's row is gone.
    second = send(client, body | {"hashes": case_body()["hashes"]}, request_key)
    assert second.status_code == 201 and second.get_json()["caseNumber"] != first
    with storage_app.app_context():
        assert CaseRequest.select().count() == 1


def test_the_database_keeps_neither_the_key_nor_a_pin_digest(client, storage_app):
    request_key = key()
    number = send(client, case_body(), request_key).get_json()["caseNumber"]
    dump = database_dump(storage_app)
    assert request_key.encode() not in dump
    with storage_app.app_context():
        (request,) = CaseRequest.select()
        assert len(request.key_hash) == len(request.body_digest) == 64
        assert request.case.number == cases.parse_case_number(number)
        assert PIN not in repr(request.__data__)
