"""The case pages in real Chromium: confirmation, sign-in errors, case page, withdrawal.

Creates the case the way the wizard does (``fetch`` with the page's CSRF token), then
walks every state of the case pages, checking each with axe-core (WCAG 2.2 AA).
"""

import pytest
from case_helpers import PIN, case_body
from helpers import axe_violations
from openncii.config import DEFAULTS

pytestmark = pytest.mark.browser

CREATE_CASE = """async (body) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch('/api/cases', {method: 'POST', body: JSON.stringify(body),
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
  return [response.status, await response.json()];
}"""


def submit(page, button):
    """Click a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(button).click()


@pytest.mark.parametrize("lang", DEFAULTS["LANGUAGES"])
def test_case_pages_are_accessible_in_every_state(live_server, page, lang):
    found = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    page.goto(f"{live_server}/{lang}/submit")
    status, answer = page.evaluate(CREATE_CASE, case_body())
    assert status == 201
    number = answer["caseNumber"]

    page.goto(f"{live_server}/{lang}/submit/done")
    assert page.get_by_test_id("case-number").inner_text() == number
    assert page.locator("[data-copy]").is_visible()  # shown once the script runs
    check("confirmation")
    submit(page, '[data-testid="saved-form"] button')
    assert page.locator(".error-summary a[href='#saved']").count() == 1
    check("confirmation error")
    page.locator("#saved").check()
    submit(page, '[data-testid="saved-form"] button')
    assert page.url.endswith(f"/{lang}/status")

    page.fill("#case_number", number)
    page.fill("#pin", "not-my-pin-9")
    submit(page, '[data-testid="status-lookup"] button')
    assert page.locator(".error-summary").count() == 1
    check("sign-in error")
    page.fill("#case_number", number.lower())
    page.fill("#pin", PIN)
    submit(page, '[data-testid="status-lookup"] button')
    assert page.get_by_test_id("case-file").count() == 3
    check("case page")

    submit(page, "form[action$='/status/withdraw'] button")
    check("withdraw confirmation")
    submit(page, '[data-testid="withdraw-confirm"] button')
    check("withdraw error")
    page.locator("#confirm").check()
    page.fill("#pin", PIN)
    submit(page, '[data-testid="withdraw-confirm"] button')
    assert page.url.endswith(f"/{lang}/status")  # withdrawn (erased), and signed out
    assert page.get_by_test_id("status-lookup").count() == 1
    assert page.locator(".notice").count() == 1
    check("after withdrawal")
    assert found == {}
