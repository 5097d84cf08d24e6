"""The helpdesk pages in real Chromium: nothing loads from another origin, and the
quick-exit control leaves the site."""

import re

import pytest
from helpers import localized_pages
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
EXIT_URL = "https://www.bbc.co.uk/weather"


def neutral_page(route):
    route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>")


def test_every_page_stays_on_our_origin(live_app, live_server, page):
    requested, problems = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    visited = 0
    for template in localized_pages(live_app):
        for lang in live_app.config["LANGUAGES"]:
            page.goto(live_server + template.format(lang=lang), wait_until="load")
            visited += 1
    assert visited >= 15
    elsewhere = [
        url for url in requested if not url.startswith((live_server + "/", f"blob:{live_server}/"))
    ]
    assert elsewhere == []
    assert problems == []  # includes Content-Security-Policy violations


def test_faq_search_filters_as_you_type(live_server, page):
    page.goto(live_server + "/en/faq")
    questions = page.locator("[data-faq-question]")
    total = questions.count()
    status = page.locator("[data-faq-status]")
    page.get_by_label("Search the questions").fill("forgot my password")  # asks the server
    expect(status).to_have_text("Questions matching your search are shown.")
    expect(page.locator("#lost-pin")).to_be_visible()
    assert 0 < page.locator("[data-faq-question]:visible").count() < total
    page.get_by_label("Search the questions").fill("zzzxqv")
    expect(status).to_have_text(re.compile("No questions match"))
    lost = page.get_by_role("link", name="Lost your case number or PIN?")
    lost.click()  # shows every question again, and the answer
    expect(page.locator("#lost-pin")).to_be_in_viewport()
    page.get_by_label("Search the questions").fill("")
    expect(page.locator("[data-faq-question]:visible")).to_have_count(total)


def test_quick_exit_button_replaces_the_page(live_server, page):
    page.route(EXIT_URL, neutral_page)
    page.goto(live_server + "/en/")
    page.goto(live_server + "/en/faq")
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(EXIT_URL)
    page.go_back()
    assert page.url == live_server + "/en/"  # the FAQ entry was replaced, not kept


def test_quick_exit_with_three_shift_presses(live_server, page):
    page.route(EXIT_URL, neutral_page)
    page.goto(live_server + "/ar/support")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
