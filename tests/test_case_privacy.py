"""No IP address, user agent or e-mail address ends up in the database or the logs."""

import logging

import requests
from case_helpers import PIN, case_body, create_case, csrf_token, database_dump, sign_in
from conftest import csrf_token_of
from helpers import logged_text

ADDRESS = "203.0.113.77"
USER_AGENT = "PrivacyProbe/9.9 (unique-agent-string)"


def exercise(client):
    """Create a case, fail and succeed at signing in, look at it, withdraw it."""
    number = create_case(client, case_body())
    sign_in(client, number, "not-my-pin-9")
    sign_in(client, number, PIN)
    assert number in client.get("/en/status").get_data(as_text=True)
    withdrawn = client.post(
        "/en/status/withdraw",
        data={"csrf_token": csrf_token(client), "step": "confirm", "confirm": "y", "pin": PIN},
    )
    assert withdrawn.status_code == 302


def test_test_client_requests_leave_no_trace(storage_app, caplog):
    caplog.set_level(logging.DEBUG)
    client = storage_app.test_client()
    client.environ_base.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT)
    exercise(client)
    dump = database_dump(storage_app)
    assert b"active" in dump or b"withdrawn" in dump  # the dump does hold the cases
    for secret in (ADDRESS, USER_AGENT):
        assert secret.encode() not in dump
        assert secret not in caplog.text


def test_live_server_logs_and_database_hold_no_address(storage_app, serve, caplog):
    caplog.set_level(logging.DEBUG)
    base_url = serve(storage_app)
    with requests.Session() as browser:
        browser.headers["User-Agent"] = USER_AGENT
        token = csrf_token_of(browser.get(f"{base_url}/en/status").text)
        created = browser.post(
            f"{base_url}/api/cases", json=case_body(), headers={"X-CSRFToken": token}
        )
        number = created.json()["caseNumber"]
        for pin in ("not-my-pin-9", PIN):
            browser.post(
                f"{base_url}/en/status",
                data={"csrf_token": token, "case_number": number, "pin": pin},
            )
        assert number in browser.get(f"{base_url}/en/status").text
    logs = logged_text(caplog, ignore="urllib3")  # not our own HTTP client
    assert "POST /api/cases" in logs  # the request log was captured
    dump = database_dump(storage_app)
    for secret in ("127.0.0.1", USER_AGENT):
        assert secret.encode() not in dump
        assert secret not in logs
