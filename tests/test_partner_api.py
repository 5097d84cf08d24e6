"""The /v1 partner API on a real server, driven by the real ``threatexchange`` client and CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from case_helpers import case_page_states
from hypothesis import HealthCheck, given, settings
from openncii import cases, exchange, partners
from openncii.models import Case, Feedback, PartnerHash, Signal
from openncii.problems import MAX_PROBLEMS
from threatexchange.exchanges.clients.stopncii.api import (
    StopNCIIAPI,
    StopNCIICaseStatus,
    StopNCIICSPFeedback,
    StopNCIICSPFeedbackValue,
    StopNCIIEndpoint,
    StopNCIISignalType,
)

PIN = "violet-harbour-42"
PDQ = ["%064x" % (0xC3 * (i + 1)) for i in range(4)]
MD5 = f"{0x3C:032x}"


def client_for(base_url, key):
    """The reference client, with the same key for every endpoint (as OpenNCII expects)."""
    return StopNCIIAPI(
        key,
        key,
        {StopNCIIEndpoint.SubmitFeedback: key, StopNCIIEndpoint.SubmitHashes: key},
        base_url_override=f"{base_url}/v1",
    )


def new_case(*hashes):
    """A case with these (signal type, value) hashes; returns its row."""
    number = cases.create_case(
        PIN,
        [
            cases.NewHash(kind, value, 90 if kind == "ImagePDQ" else None, None)
            for kind, value in hashes
        ],
        rounds=4,
    )
    return Case.get(Case.number == number)


def fetch_all(client, start=StopNCIIAPI.DEFAULT_START_TIME):
    """Everything the client sees from ``start``: ({hash: record}, final nextSetTimestamp)."""
    latest, checkpoint = {}, None
    for page in client.fetch_hashes_iter(start):
        assert page.count == len(page.hashRecords)
        assert checkpoint is None or page.nextSetTimestamp >= checkpoint
        latest.update((record.hashValue, record) for record in page.hashRecords)
        checkpoint = page.nextSetTimestamp
    return latest, checkpoint


def resume(client, checkpoint):
    """Fetch from ``checkpoint``: ({hash: record} changed after it, new checkpoint).

    The checkpoint's own second is sent again by design (see openncii.exchange); nothing
    older may be.
    """
    latest, newer = fetch_all(client, checkpoint)
    assert all(record.lastModtimestamp >= checkpoint for record in latest.values())
    return {
        value: record for value, record in latest.items() if record.lastModtimestamp > checkpoint
    }, newer


def test_partner_sync_feedback_and_withdrawal_with_the_real_client(storage_app, serve, clock):
    storage_app.config["SHOW_PARTNER_NAMES"] = True
    with storage_app.app_context():
        _, key = partners.create("ExampleSocial")
        first = new_case(("ImagePDQ", PDQ[0]), ("ImagePDQ", PDQ[1]), ("VideoMD5", MD5))
    base_url = serve(storage_app)
    client = client_for(base_url, key)

    records, checkpoint = fetch_all(client)
    assert set(records) == {PDQ[0], PDQ[1], MD5}
    assert records[MD5].signalType is StopNCIISignalType.VideoMD5
    assert records[PDQ[0]].hashStatus is StopNCIICaseStatus.Active
    assert records[PDQ[0]].caseNumbers == {first.reference: StopNCIICaseStatus.Active}

    clock.t += 60
    with storage_app.app_context():
        second = new_case(("ImagePDQ", PDQ[2]))
    newer, checkpoint = resume(client, checkpoint)
    assert set(newer) == {PDQ[2]}
    assert newer[PDQ[2]].caseNumbers == {second.reference: StopNCIICaseStatus.Active}

    clock.t += 60
    client.submit_feedback(
        StopNCIISignalType.ImagePDQ, PDQ[0], StopNCIICSPFeedbackValue.Blocked, {"nudity"}
    )
    client.submit_feedback(
        StopNCIISignalType.ImagePDQ, PDQ[1], StopNCIICSPFeedbackValue.PendingReview
    )
    newer, checkpoint = resume(client, checkpoint)
    assert set(newer) == {PDQ[0], PDQ[1]}
    [verdict] = newer[PDQ[0]].CSPFeedbacks
    assert (verdict.feedbackValue, verdict.tags, verdict.source) == (
        StopNCIICSPFeedbackValue.Blocked,
        {"nudity"},
        "ExampleSocial",
    )
    assert case_page_states(base_url, first.number, PIN) == {
        PDQ[0]: ("blocked", "ExampleSocial: Blocked"),
        PDQ[1]: ("under_review", "ExampleSocial: Match found, under review"),
        MD5: ("shared", ""),
    }

    clock.t += 60
    with storage_app.app_context():
        cases.withdraw(first.id)
    newer, _ = resume(client, checkpoint)
    assert set(newer) == {PDQ[0], PDQ[1], MD5}
    assert {record.hashStatus for record in newer.values()} == {StopNCIICaseStatus.Withdrawn}
    assert newer[PDQ[0]].caseNumbers == {first.reference: StopNCIICaseStatus.Withdrawn}


def test_partner_hashes_with_the_real_client(app, serve):
    with app.app_context():
        _, key = partners.create("ExampleSocial")
        new_case(("ImagePDQ", PDQ[0]))
    client = client_for(serve(app), key)
    client.submit_hashes(
        {
            (StopNCIISignalType.ImagePDQ, PDQ[3]): StopNCIICSPFeedback(
                StopNCIICSPFeedbackValue.Blocked, {"found-it"}
            ),
            (StopNCIISignalType.VideoMD5, MD5): StopNCIICSPFeedback(
                StopNCIICSPFeedbackValue.PendingReview
            ),
        }
    )
    records, _ = fetch_all(client)
    assert set(records) == {PDQ[0], PDQ[3], MD5}
    assert records[PDQ[3]].hashStatus is StopNCIICaseStatus.Received  # no victim case holds it
    assert records[PDQ[0]].hashStatus is StopNCIICaseStatus.Active
    assert records[PDQ[3]].caseNumbers == {}
    assert [(f.feedbackValue, f.tags, f.source) for f in records[PDQ[3]].CSPFeedbacks] == [
        (StopNCIICSPFeedbackValue.Blocked, {"found-it"}, "ExampleSocial")
    ]


@pytest.fixture
def live(app, serve):
    """(base URL, headers with a valid key, the key) for a partner of a fresh app."""
    with app.app_context():
        _, key = partners.create("ExampleSocial")
        new_case(("ImagePDQ", PDQ[0]))
    return serve(app), {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}, key


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Ocp-Apim-Subscription-Key": "{key}"},
        {"Ocp-Apim-Subscription-Key": "{key}", "x-functions-key": "something-else"},
        {"Ocp-Apim-Subscription-Key": "{key}x", "x-functions-key": "{key}x"},
        {"Ocp-Apim-Subscription-Key": "nodot", "x-functions-key": "nodot"},
    ],
)
def test_bad_keys_get_401(live, headers):
    base_url, _, key = live
    sent = {name: value.format(key=key) for name, value in headers.items()}
    for method, endpoint in [
        ("GET", "FetchHashes"),
        ("POST", "SubmitFeedback"),
        ("POST", "SubmitHashes"),
    ]:
        response = requests.request(method, f"{base_url}/v1/{endpoint}", headers=sent, json={})
        assert response.status_code == 401
        assert response.json()["error"]


def test_revoked_partner_gets_403_and_rotation_retires_the_old_key(app, live):
    base_url, headers, key = live
    with app.app_context():
        partners.set_active("ExampleSocial", False)
    with pytest.raises(requests.HTTPError) as error:
        client_for(base_url, key).fetch_hashes()
    assert error.value.response.status_code == 403
    assert "revoked" in error.value.response.json()["error"]
    with app.app_context():
        partners.set_active("ExampleSocial", True)
        _, new_key = partners.rotate("ExampleSocial")
    assert requests.get(f"{base_url}/v1/FetchHashes", headers=headers).status_code == 401
    assert client_for(base_url, new_key).fetch_hashes().count == 1


@pytest.mark.parametrize(
    "endpoint, body, message",
    [
        ("SubmitFeedback", "not json", "The body must be JSON."),
        ("SubmitFeedback", "[" * 100_000, "The body must be JSON."),
        (
            "SubmitFeedback",
            {
                "count": 2,
                "hashFeedbacks": [
                    {"hashValue": PDQ[0], "feedbackValue": "Blocked"},
                    {"hashValue": "xyz", "feedbackValue": "Blocked"},
                ],
            },
            "hashFeedbacks[1].hashValue",
        ),
        (
            "SubmitHashes",
            {
                "count": 2,
                "hashRecords": [
                    {"signalType": "ImagePDQ", "hashValue": PDQ[3]},
                    {"signalType": "ImagePDQ", "hashValue": MD5},
                ],
            },
            "hashRecords[1].hashValue",
        ),
        (
            "SubmitHashes",
            {
                "count": 2,
                "hashRecords": [
                    {"signalType": "ImagePDQ", "hashValue": PDQ[3]},
                    {"signalType": "URL", "hashValue": PDQ[2]},
                ],
            },
            "hashRecords[1].signalType",
        ),
    ],
)
def test_malformed_bodies_get_400_and_write_nothing(app, live, endpoint, body, message):
    base_url, headers, _ = live
    data = body if isinstance(body, str) else json.dumps(body)
    response = requests.post(f"{base_url}/v1/{endpoint}", headers=headers, data=data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    with app.app_context():
        assert Signal.select().count() == 1
        assert Feedback.select().count() == PartnerHash.select().count() == 0


@pytest.mark.parametrize(
    "query, message",
    [
        ("pageSize=0", "pageSize"),
        ("pageSize=2001", "pageSize"),
        ("pageSize=ten", "pageSize"),
        ("startTimestamp=-5", "startTimestamp"),
        ("startTimestamp=1e9", "startTimestamp"),
        ("nextPageToken=abc", "nextPageToken"),
    ],
)
def test_bad_fetch_arguments_get_400(live, query, message):
    base_url, headers, _ = live
    response = requests.get(f"{base_url}/v1/FetchHashes?{query}", headers=headers)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_oversized_body_gets_413(app, live):
    base_url, headers, _ = live
    body = b'{"hashFeedbacks": [' + b" " * app.config["MAX_CONTENT_LENGTH"] + b"]}"
    response = requests.post(f"{base_url}/v1/SubmitFeedback", headers=headers, data=body)
    assert response.status_code == 413
    assert response.json()["error"]


def test_unknown_paths_and_methods_answer_json(live):
    base_url, headers, _ = live
    assert requests.get(f"{base_url}/v1/Nothing", headers=headers).json()["error"]
    wrong = requests.get(f"{base_url}/v1/SubmitHashes", headers=headers)
    assert wrong.status_code == 405 and wrong.json()["error"]


def test_rate_limit_is_per_partner(make_app, serve):
    app = make_app(RATELIMIT_ENABLED=True, PARTNER_RATE_LIMIT="3 per minute")
    with app.app_context():
        _, busy = partners.create("Busy")
        _, calm = partners.create("Calm")
    base_url = serve(app)

    def fetch(key):
        return requests.get(
            f"{base_url}/v1/FetchHashes",
            headers={"Ocp-Apim-Subscription-Key": key, "x-functions-key": key},
        )

    assert [fetch(busy).status_code for _ in range(3)] == [200, 200, 200]
    limited = fetch(busy)
    assert limited.status_code == 429
    assert limited.json()["error"]
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert fetch(calm).status_code == 200


def test_feed_pages_go_uncompressed_and_other_answers_compressed(live):
    base_url, headers, _ = live
    page = requests.get(
        f"{base_url}/v1/FetchHashes", headers={**headers, "Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in page.headers
    assert page.headers["Content-Type"] == "application/json" and page.json()["count"] == 1
    document = requests.get(f"{base_url}/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert document.headers["Content-Encoding"] == "gzip"


def test_no_answer_is_kept_in_a_cache(live):
    base_url, headers, _ = live
    page = requests.get(f"{base_url}/v1/FetchHashes", headers=headers)
    refused = requests.get(f"{base_url}/v1/FetchHashes")
    assert page.status_code == 200 and refused.status_code == 401
    assert page.headers["Cache-Control"] == refused.headers["Cache-Control"] == "no-store"


def test_openapi_document_describes_this_implementation(live):
    base_url, _, _ = live
    document = requests.get(f"{base_url}/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    assert schemas["FeedbackValue"]["enum"] == list(exchange.FEEDBACK_VALUES)
    [page_size] = [
        p for p in document["paths"]["/FetchHashes"]["get"]["parameters"] if p["name"] == "pageSize"
    ]
    assert page_size["schema"]["maximum"] == exchange.MAX_PAGE_SIZE
    assert (
        schemas["SubmitFeedbackRequest"]["properties"]["hashFeedbacks"]["maxItems"]
        == exchange.MAX_ITEMS
    )
    assert schemas["Tags"]["maxItems"] == exchange.MAX_TAGS
    assert schemas["Tags"]["items"]["maxLength"] == exchange.MAX_TAG_LENGTH
    assert schemas["Error"]["properties"]["errors"]["maxItems"] == MAX_PROBLEMS


def test_threatexchange_cli_fetches_through_its_stopncii_exchange(live, tmp_path):
    base_url, _, key = live
    environment = {
        **os.environ,
        "HOME": str(tmp_path),
        "TX_STOPNCII_KEYS": f"{key},{key},{base_url}/v1",
    }
    tool = str(Path(sys.executable).with_name("threatexchange"))

    def run(*args):
        done = subprocess.run(
            [tool, *args], env=environment, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("config", "collab", "edit", "stop_ncii", "--create", "OpenNCII")
    run("fetch")
    assert f"pdq {PDQ[0]} 'OpenNCII'" in run("dataset", "--print-signals")


# -- schemathesis: the document against the server --------------------------------------


def test_schemathesis_finds_no_errors_and_no_schema_violations(live):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        ignored_auth,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    base_url, headers, _ = live
    schema = schemathesis.openapi.from_url(f"{base_url}/v1/openapi.json")
    # Every answer is documented and matches its schema; no 5xx; auth is never skipped.
    # (Not negative_data_rejection: unknown query parameters are ignored on purpose.)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
        ignored_auth,
    ]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = schema.as_strategy(generation_mode=mode)

        @settings(
            max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=strategy)
        def check(case):
            case.call_and_validate(base_url=f"{base_url}/v1", headers=headers, checks=checks)

        check()
