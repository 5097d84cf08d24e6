"""The wizard when sending fails, in real Chromium: first the database is gone (503),
then the answer is lost after the case was made; each time the files stay, "Try again"
is offered, and in the end the one case the server made is shown -- no second one.

The page is served through a TCP proxy (``faults.Proxy``) that resets the browser's
connection once the server has answered ``POST /api/cases``; the database "goes" by
moving its folder away.
"""

import pytest
from conftest import LiveServer, app_config
from faults import Proxy
from openncii import cases, create_app
from openncii.models import Case
from playwright.sync_api import expect
from test_wizard import (
    PIN,
    confirm_consents,
    continue_from,
    small_pictures,
    step,
    wait_until_hashed,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def proxied(tmp_path):
    """(app, the proxy in front of its live server)."""
    (tmp_path / "data").mkdir()
    app = create_app(app_config(f"sqlite:///{tmp_path / 'data' / 'openncii.sqlite3'}"))
    server = LiveServer(app)
    proxy = Proxy(("127.0.0.1", server.server.server_port))
    yield app, proxy
    proxy.close()
    server.stop()


def stored_numbers(app):
    with app.app_context():
        return [case.number for case in Case.select()]


def test_try_again_after_an_outage_and_a_lost_answer_shows_the_one_case(proxied, page, tmp_path):
    app, proxy = proxied
    page.goto(f"{proxy.url}/en/submit")
    confirm_consents(page)
    continue_from(page, 1)
    page.get_by_test_id("file-input").set_input_files(
        [str(path) for path in small_pictures(tmp_path, 2)]
    )
    wait_until_hashed(page, 2)
    continue_from(page, 2)
    continue_from(page, 3)
    page.get_by_test_id("pin").fill(PIN)
    page.get_by_test_id("pin-confirm").fill(PIN)
    continue_from(page, 4)

    send = page.get_by_test_id("submit-case")
    summary = step(page, 5).locator("[data-error-summary]")
    (tmp_path / "data").rename(tmp_path / "away")
    try:
        send.click()
        expect(summary).to_contain_text("We cannot open cases right now, and nothing was stored.")
    finally:
        (tmp_path / "away").rename(tmp_path / "data")
    expect(send).to_have_text("Try again")
    expect(page.locator("[data-send-count]")).to_have_text("2 fingerprints")
    assert stored_numbers(app) == []

    proxy.drop_case_answers()
    send.click()
    expect(summary).to_contain_text("The connection failed before your case was confirmed.")
    expect(send).to_have_text("Try again")
    assert proxy.dropped >= 1  # (Chromium may have re-sent it once itself)
    made = stored_numbers(app)
    assert len(made) == 1  # the server did make the case

    proxy.drop_case_answers(False)
    send.click()
    page.wait_for_url("**/en/submit/done")
    shown = page.get_by_test_id("case-number").text_content().strip()
    assert cases.parse_case_number(shown) == made[0]
    assert stored_numbers(app) == made
