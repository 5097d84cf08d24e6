"""Someone else picks up the phone: quick exit, Back, copied cookies, withdrawal's PIN.

Real Chromium (with its back/forward cache on) on a phone-sized window against a real
server. The neutral site the quick exit leads to is answered by Playwright's router
(nothing leaves 127.0.0.1).
"""

import pytest
from case_helpers import PIN, case_body
from helpers import create_case_in
from openncii.config import DEFAULTS
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
NEUTRAL = "<!doctype html><title>Weather</title><p>Sunny spells.</p>"


@pytest.fixture
def phone(bfcache_browser):
    context = bfcache_browser.new_context(viewport=PHONE)
    page = context.new_page()
    exit_url = DEFAULTS["QUICK_EXIT_URL"]
    page.route(
        f"{exit_url.split('/', 3)[0]}//{exit_url.split('/')[2]}/**",
        lambda route: route.fulfill(body=NEUTRAL, content_type="text/html"),
    )
    yield page
    context.close()


def submit(page, button):
    with page.expect_navigation():
        page.locator(button).click()


def signed_in_case(page, base, lang):
    """Create a case as the wizard does, then sign in through the form: the case page."""
    page.goto(f"{base}/{lang}/submit")
    number = create_case_in(page, case_body())
    page.goto(f"{base}/{lang}/status")
    page.fill("#case_number", number)
    page.fill("#pin", PIN)
    submit(page, '[data-testid="status-lookup"] button')
    assert page.get_by_test_id("case-number").inner_text() == number
    return number


def settled_content(page):
    """The page's HTML once any reload it started (back/forward cache) has finished."""
    while True:
        page.wait_for_load_state()
        try:
            return page.content()
        except PlaywrightError:  # it is navigating: wait for that page
            continue


def shows_nothing_of_the_case(page, number):
    html = settled_content(page)
    return (
        number not in html
        and page.get_by_test_id("case-files").count() == 0
        and page.locator("form[action$='/status/withdraw']").count() == 0
    )


def session_cookie(page):
    return [cookie for cookie in page.context.cookies() if cookie["name"] == "session"]


def opens_the_case(browser, base, cookies):
    """Whether a second browser holding these cookies sees the case page."""
    thief = browser.new_context()
    try:
        thief.add_cookies(cookies)
        page = thief.new_page()
        page.goto(f"{base}/en/status")
        return page.get_by_test_id("case-files").count() == 1
    finally:
        thief.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("how", ["button", "shift"])
def test_quick_exit_then_back_shows_nothing_of_the_case(live_server, browser, phone, lang, how):
    page = phone
    number = signed_in_case(page, live_server, lang)
    copied = session_cookie(page)
    assert opens_the_case(browser, live_server, copied)
    with page.expect_navigation(url="**/weather"):
        if how == "button":
            page.get_by_test_id("quick-exit").click()
        else:
            for _ in range(3):
                page.keyboard.press("Shift")
    assert "Sunny spells" in settled_content(page)
    assert not opens_the_case(browser, live_server, copied)  # ended on the server

    page.go_back()
    assert shows_nothing_of_the_case(page, number)
    assert page.url.endswith(f"/{lang}/status")
    assert page.locator('[data-testid="status-lookup"] #case_number').input_value() == ""
    page.go_back()
    assert shows_nothing_of_the_case(page, number)
    page.goto(f"{live_server}/{lang}/status")  # opening the page again: not signed in
    assert shows_nothing_of_the_case(page, number)


def test_withdrawal_asks_for_the_pin_and_ends_the_session(live_server, browser, phone):
    page = phone
    number = signed_in_case(page, live_server, "en")
    copied = session_cookie(page)
    submit(page, "form[action$='/status/withdraw'] button")
    page.locator("#confirm").check()
    submit(page, '[data-testid="withdraw-confirm"] button')  # no PIN typed
    assert page.locator(".error-summary a[href='#pin']").count() == 1
    page.locator("#confirm").check()
    page.fill("#pin", "not-my-pin-9")
    submit(page, '[data-testid="withdraw-confirm"] button')
    assert "This PIN is not right. Nothing was withdrawn." in page.content()
    page.goto(f"{live_server}/en/status")
    assert page.get_by_test_id("case-files").count() == 1  # still there, still signed in

    submit(page, "form[action$='/status/withdraw'] button")
    page.locator("#confirm").check()
    page.fill("#pin", PIN)
    submit(page, '[data-testid="withdraw-confirm"] button')
    assert "Your case is withdrawn." in page.content()
    assert shows_nothing_of_the_case(page, number)
    assert not opens_the_case(browser, live_server, copied)


def test_a_cookie_copied_before_sign_out_opens_nothing(live_server, browser, phone):
    page = phone
    signed_in_case(page, live_server, "en")
    copied = session_cookie(page)
    submit(page, "form[action$='/status/sign-out'] button")
    assert "You have signed out of your case." in page.content()
    assert not opens_the_case(browser, live_server, copied)


def test_quick_exit_after_the_confirmation_page_then_back(live_server, phone):
    """The new case number shown, then the FAQ, then quick exit: Back reaches the
    confirmation page again (the FAQ's entry was replaced), which shows no number."""
    page = phone
    page.goto(f"{live_server}/en/submit")
    number = create_case_in(page, case_body())
    page.goto(f"{live_server}/en/submit/done")
    assert page.get_by_test_id("case-number").inner_text() == number
    page.goto(f"{live_server}/en/faq")
    with page.expect_navigation(url="**/weather"):
        page.get_by_test_id("quick-exit").click()
    page.go_back()
    assert shows_nothing_of_the_case(page, number)
    assert page.url.endswith("/en/submit/done")
