"""Support pages in real Chromium: ranking for Arabic readers, the link box, and axe and
page weight on a sample of organisation and country pages across locales (the test client
checks every page in every locale; see tests/test_pages_support.py)."""

import pytest
from helpers import WEIGHT_LIMIT, axe_violations, first_load_bytes

pytestmark = pytest.mark.browser

# Scripts, directions and entry shapes: 24/7 lines, opening hours, under-18 only, a
# government line with a short code, long translated names.
SAMPLE_PAGES = [
    "/en/support/revenge-porn-helpline",
    "/ar/support/hilfetelefon",
    "/he/support/violences-femmes-info-3919",
    "/ja/support/japan-one-stop-8891",
    "/hi/support/ncw-india",
    "/zh-Hans/support/childline",
    "/uk/support/ukraine-free-legal-aid",
    "/ru/support/sisters-help",
    "/pt-BR/support/ligue-180",
    "/vi/support/vietnam-111",
    "/en/support/country/GB",
    "/ar/support/country/DE",
    "/ur/support/country/PK",
    "/th/support/country/FR",
    "/tl/support/country/IN",
]


def test_arabic_readers_see_arabic_speaking_adult_services_first(live_app, live_server, page):
    directory = {org.name: org for org in live_app.extensions["openncii_support"]}
    page.goto(live_server + "/ar/support")
    names = page.locator("[data-testid=org] h2").all_inner_texts()
    assert len(names) == len(directory)
    arabic_adult = [
        directory[name].speaks("ar") and directory[name].serves_adults for name in names
    ]
    first_other = arabic_adult.index(False)
    assert first_other >= 2 and not any(arabic_adult[first_other:])
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_sample_of_support_pages_passes_axe(live_server, page):
    found = {}
    for url in SAMPLE_PAGES:
        page.goto(live_server + url)
        violations = axe_violations(page)
        if violations:
            found[url] = violations
    assert found == {}


def test_sample_of_support_pages_stays_under_the_weight_budget(live_server, browser):
    weights = {url: first_load_bytes(browser, live_server + url) for url in SAMPLE_PAGES}
    heavy = {url: size for url, size in weights.items() if not 0 < size < WEIGHT_LIMIT}
    assert heavy == {}


def test_link_box_copies_the_full_address(live_server, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server + "/fr/support/country/FR")
    address = page.get_by_label("Lien vers cette page")
    expected = live_server + "/fr/support/country/FR"
    assert address.input_value() == expected  # the script added the site's address
    page.get_by_role("button", name="Copier le lien").click()
    page.get_by_text("Lien copié.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    context.close()


def test_link_box_without_javascript_shows_a_selectable_address(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/en/support/stopncii")
    address = page.get_by_label("Link to this page")
    assert address.input_value() == "/en/support/stopncii"
    assert address.get_attribute("readonly") is not None
    assert page.get_by_role("button", name="Copy the link").count() == 0
    context.close()


def test_country_filter_leads_to_the_country_listing_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/ja/support")
    page.locator("#filter-country").select_option("JP")
    page.locator(".filters [type=submit]").click()
    page.wait_for_url("**/ja/support?country=JP**")
    names = page.locator("[data-testid=org] h2").all_inner_texts()
    assert names[0] == "性犯罪・性暴力被害者のためのワンストップ支援センター"  # speaks Japanese
    assert "StopNCII.org" in names  # worldwide services are listed for every country
    context.close()
