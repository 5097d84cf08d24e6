"""Fifty people creating cases at the same moment, through a real server, on both databases."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from case_helpers import case_body
from conftest import csrf_token_of
from openncii import cases
from openncii.models import Case, CaseHash, Change

CLIENTS = 50


def create_in_own_session(base_url, barrier):
    """One browser: fetch a page for its CSRF token, wait for the others, then submit."""
    with requests.Session() as browser:
        token = csrf_token_of(browser.get(f"{base_url}/en/status", timeout=30).text)
        body = case_body()
        barrier.wait(timeout=60)
        response = browser.post(
            f"{base_url}/api/cases", json=body, headers={"X-CSRFToken": token}, timeout=120
        )
        return response.status_code, response.json().get("caseNumber"), body


def test_fifty_concurrent_creations(storage_app, serve):
    base_url = serve(storage_app)
    barrier = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda _: create_in_own_session(base_url, barrier), range(CLIENTS)))

    assert [status for status, _, _ in results] == [201] * CLIENTS
    numbers = {cases.parse_case_number(number) for _, number, _ in results}
    assert len(numbers) == CLIENTS and None not in numbers
    with storage_app.app_context():
        assert {case.number for case in Case.select()} == numbers
        for _, number, body in results:
            stored = [
                row.signal.value
                for row in CaseHash.select()
                .join(Case)
                .where(Case.number == cases.parse_case_number(number))
                .order_by(CaseHash.position)
            ]
            assert stored == [item["hashValue"] for item in body["hashes"]]
        changes = list(Change.select().order_by(Change.seq))
        assert len(changes) == CaseHash.select().count() == 4 * CLIENTS
        assert [change.at for change in changes] == sorted(change.at for change in changes)
