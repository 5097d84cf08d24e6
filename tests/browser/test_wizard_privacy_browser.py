"""The wizard in front of other eyes: blurred previews, hidden names, language changes.

Real Chromium, phone-sized, against a real server.
"""

import numpy as np
import pytest
from hashing_reference import noise
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
PIN = "kite-river-73"
HASHING_TIMEOUT_MS = 90_000
NAMES = ["beach-holiday.png", "bedroom-2019.png"]
LOOKS = """(card) => ({
  filter: getComputedStyle(card.querySelector('img')).filter,
  text: card.innerText,
})"""


@pytest.fixture
def pictures(tmp_path):
    rng = np.random.default_rng(7)
    paths = []
    for name in NAMES:
        path = tmp_path / name
        Image.fromarray(noise(rng, 96, 72)).save(path)
        paths.append(path)
    return paths


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def step(page, number):
    return page.locator(f'section[data-step="{number}"]')


def go_on(page, number):
    step(page, number).locator("form > .actions > button:not([type='button'])").click()
    expect(step(page, number + 1)).to_be_visible()


def files_chosen(page, base, pictures):
    page.goto(f"{base}/en/submit")
    for box in page.locator("[data-consent]").all():
        box.check()
    go_on(page, 1)
    page.get_by_test_id("file-input").set_input_files([str(path) for path in pictures])
    cards = page.get_by_test_id("file-card")
    expect(cards).to_have_count(len(pictures))
    expect(page.locator('[data-testid="file-card"][data-state="ready"]')).to_have_count(
        len(pictures), timeout=HASHING_TIMEOUT_MS
    )
    return cards


def test_previews_and_names_stay_hidden_until_asked(live_server, page, pictures):
    cards = files_chosen(page, live_server, pictures)
    for index, card in enumerate(cards.all()):
        looks = card.evaluate(LOOKS)
        assert looks["filter"].startswith("blur(")
        assert not any(name in looks["text"] for name in NAMES)
        assert card.locator("img").get_attribute("src").startswith("blob:")
        expect(card.get_by_role("button")).to_have_accessible_name(f"Remove File {index + 1}")
        assert looks["text"].startswith(f"File {index + 1}\n")

    page.get_by_label("Show previews and file names").check()
    for card, name in zip(cards.all(), NAMES, strict=True):
        looks = card.evaluate(LOOKS)
        assert looks["filter"] == "none" and looks["text"].startswith(f"{name}\n")
        expect(card.get_by_role("button")).to_have_accessible_name(f"Remove {name}")
    page.get_by_label("Show previews and file names").uncheck()
    assert cards.first.evaluate(LOOKS)["filter"].startswith("blur(")


def switch_language(page, code):
    page.locator(".language-switcher summary").click()
    page.locator(f'.language-switcher a[hreflang="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_changing_language_mid_wizard_keeps_the_place_and_the_files(live_server, page, pictures):
    files_chosen(page, live_server, pictures)
    go_on(page, 2)
    go_on(page, 3)
    page.get_by_test_id("pin").fill(PIN)
    page.get_by_test_id("pin-confirm").fill(PIN)

    switch_language(page, "fr")
    assert page.url.endswith("/fr/submit")
    expect(step(page, 4)).to_be_visible()
    expect(step(page, 4).locator("h1")).to_contain_text("Choisissez un code PIN")
    assert page.get_by_test_id("pin").input_value() == PIN
    step(page, 4).locator("[data-back]").click()
    step(page, 3).locator("[data-back]").click()
    expect(page.get_by_test_id("file-card")).to_have_count(2)
    expect(page.locator("[data-chosen-count]")).to_have_text("2 fichiers choisis sur 20")
    expect(page.get_by_test_id("file-card").first.get_by_role("button")).to_have_accessible_name(
        "Retirer Fichier 1"
    )

    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("file-card")).to_have_count(2)
    go_on(page, 2)
    go_on(page, 3)
    assert page.get_by_test_id("pin").input_value() == PIN
    go_on(page, 4)
    with page.expect_navigation(url="**/ar/submit/done"):
        page.get_by_test_id("submit-case").click()
    assert page.get_by_test_id("case-number").inner_text()


@pytest.fixture
def bfcache_page(bfcache_browser):
    context = bfcache_browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def test_back_after_quick_exit_shows_none_of_the_chosen_files(live_server, bfcache_page, pictures):
    """The wizard, files chosen, then the FAQ (the wizard waits in the back/forward
    cache), then quick exit: Back must not bring the wizard back with its files."""
    page = bfcache_page
    page.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(body="<title>Weather</title>", content_type="text/html"),
    )
    files_chosen(page, live_server, pictures)
    with page.expect_navigation():
        page.locator(".site-nav a[href$='/en/faq']").click()
    with page.expect_navigation(url="**/weather"):
        page.get_by_test_id("quick-exit").click()
    with page.expect_navigation(url=f"{live_server}/en/submit"):
        page.go_back(wait_until="commit")
    page.wait_for_load_state()
    expect(page.locator("[data-wizard]")).to_be_visible()
    expect(page.get_by_test_id("file-card")).to_have_count(0)
