"""axe-core finds no WCAG 2.2 AA violation on any helpdesk page, in any enabled locale."""

import pytest
from helpers import axe_violations, localized_pages

pytestmark = pytest.mark.browser


@pytest.mark.timeout(900)  # some 400 pages through axe: minutes on a busy machine
def test_every_page_in_every_locale(live_app, live_server, page):
    checked, found = 0, {}
    for template in localized_pages(live_app):
        for lang in live_app.config["LANGUAGES"]:
            url = template.format(lang=lang)
            page.goto(live_server + url)
            violations = axe_violations(page)
            if violations:
                found[url] = violations
            checked += 1
    assert checked >= 15 and found == {}


def submit(page):
    """Press Continue and wait until the page it leads to has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="متابعة").click()


def test_eligibility_steps_and_outcomes(live_server, page):
    """Every question page, an error state and each outcome (keyboard-free, fast)."""
    pages = []
    for answers in (
        ["yes", "yes", "no", "yes"],
        ["yes", "yes", "yes"],
        ["no"],
        ["yes", "no"],
        ["yes", "yes", "no", "no"],
    ):
        page.goto(live_server + "/ar/eligibility")
        submit(page)  # no answer: error summary
        pages.append(axe_violations(page))
        for answer in answers:
            page.locator(f'input[name="answer"][value="{answer}"]').check()
            submit(page)
            pages.append(axe_violations(page))
    assert all(violations == [] for violations in pages), pages
