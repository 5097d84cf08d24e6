"""The wizard and the eligibility check on a phone (390x844, touch) and at high zoom:
feedback in view after choosing files, errors that go once fixed, each step starting at
its heading, targets for thumbs, plural forms, and the language list on a small screen."""

import pytest
from flask_babel import force_locale, ngettext
from helpers import axe_violations
from openncii.config import DEFAULTS
from playwright.sync_api import expect
from test_wizard import small_pictures

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "has_touch": True,
    "is_mobile": True,
}
# Browser zoom on a 1280x1024 screen: the page gets fewer CSS pixels, each drawn larger.
ZOOMS = {200: (640, 512), 400: (320, 256)}
CONSENTS = ["me", "adult", "intimate", "partners"]
PIN = "kite-river-73"
HASHING_TIMEOUT_MS = 90_000


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def section(page, number):
    return page.locator(f'section[data-step="{number}"]')


def press_continue(page, number):
    section(page, number).locator("form > .actions > button:not([type])").first.tap()


def confirm(page):
    for key in CONSENTS:
        page.get_by_test_id(f"consent-{key}").tap()
    press_continue(page, 1)
    expect(section(page, 2)).to_be_visible()


def wait_until_hashed(page, count):
    expect(page.get_by_test_id("file-card")).to_have_count(count)
    expect(page.locator('[data-testid="file-card"][data-state="hashing"]')).to_have_count(
        0, timeout=HASHING_TIMEOUT_MS
    )


def errors(page, number):
    return section(page, number).locator("[data-error-summary]")


# ------------------------------------------------------------ feedback in view


def test_after_choosing_files_the_summary_is_in_view_and_announced(phone, live_server, tmp_path):
    phone.goto(f"{live_server}/en/submit")
    confirm(phone)
    phone.get_by_test_id("file-input").set_input_files(
        [str(p) for p in small_pictures(tmp_path, 5)]
    )
    expect(phone.locator("[data-files-summary]")).to_be_in_viewport()
    expect(phone.locator("[data-announcer]")).to_have_text(
        "Making the fingerprints of 5 files on this device."
    )
    expect(phone.get_by_test_id("file-card").first).to_be_in_viewport()
    wait_until_hashed(phone, 5)
    expect(phone.locator("[data-files-status]")).to_have_text("5 files are ready.")
    expect(phone.locator("[data-announcer]")).to_have_text("5 files are ready.")
    assert axe_violations(phone) == []


# --------------------------------------------------------- errors that go away


def test_each_error_goes_the_moment_its_cause_is_fixed(phone, live_server, tmp_path):
    phone.goto(f"{live_server}/en/submit")
    confirm(phone)

    # "Choose at least one picture", then a file is chosen.
    press_continue(phone, 2)
    expect(errors(phone, 2)).to_contain_text("Choose at least one picture")
    held = []
    phone.route("**/static/js/hashing/index.js", lambda route: held.append(route))
    phone.get_by_test_id("file-input").set_input_files([str(small_pictures(tmp_path, 1)[0])])
    expect(errors(phone, 2)).to_be_hidden()
    assert not phone.title().startswith("Error:")

    # "Wait until every file is ready" (the hashing library is held back), then it is.
    press_continue(phone, 2)
    expect(errors(phone, 2)).to_contain_text("Wait until every file is ready")
    expect(errors(phone, 2)).to_be_focused()
    assert held, "the hashing library was not requested"
    held[0].continue_()
    wait_until_hashed(phone, 1)
    expect(errors(phone, 2)).to_be_hidden()
    expect(phone.locator("#file-input")).not_to_have_attribute("aria-invalid", "true")

    press_continue(phone, 2)
    press_continue(phone, 3)
    expect(section(phone, 4)).to_be_visible()

    # "The two PINs are not the same", then corrected.
    phone.get_by_test_id("pin").fill(PIN)
    phone.get_by_test_id("pin-confirm").fill(PIN[:-1])
    press_continue(phone, 4)
    expect(errors(phone, 4)).to_contain_text("The two PINs are not the same")
    expect(phone.locator("#pin-confirm")).to_have_attribute("aria-invalid", "true")
    phone.get_by_test_id("pin-confirm").press("End")
    phone.get_by_test_id("pin-confirm").press_sequentially(PIN[-1])
    expect(errors(phone, 4)).to_be_hidden()
    expect(phone.locator("#pin-confirm-error")).to_be_hidden()
    expect(phone.locator("#pin-confirm")).not_to_have_attribute("aria-invalid", "true")


def test_fixing_one_consent_keeps_the_error_until_all_are_ticked(phone, live_server):
    phone.goto(f"{live_server}/en/submit")
    press_continue(phone, 1)
    expect(errors(phone, 1)).to_be_visible()
    for key in CONSENTS[:-1]:
        phone.get_by_test_id(f"consent-{key}").tap()
        expect(errors(phone, 1)).to_be_visible()
    phone.get_by_test_id("consent-partners").tap()
    expect(errors(phone, 1)).to_be_hidden()


# ------------------------------------------------------ each step at its heading


@pytest.mark.parametrize("zoom", sorted(ZOOMS))
def test_each_step_starts_at_its_heading_when_zoomed(browser, live_server, tmp_path, zoom):
    width, height = ZOOMS[zoom]
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=zoom / 100
    )
    page = context.new_page()
    page.goto(f"{live_server}/en/submit")
    header = page.evaluate(
        "() => document.querySelector('.site-header').getBoundingClientRect().bottom"
    )
    assert header < height * 0.75, "the header fills the screen"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # reflow
    for key in CONSENTS:
        page.get_by_test_id(f"consent-{key}").check()
    for number in range(1, 5):
        if number == 2:
            page.get_by_test_id("file-input").set_input_files(
                [str(p) for p in small_pictures(tmp_path, 2)]
            )
            wait_until_hashed(page, 2)
        if number == 4:
            page.get_by_test_id("pin").fill(PIN)
            page.get_by_test_id("pin-confirm").fill(PIN)
        section(page, number).locator("form > .actions > button:not([type])").first.click()
        heading = page.locator(f"#step-{number + 1}-title")
        expect(heading).to_be_focused()
        expect(heading).to_be_in_viewport(ratio=1)
        expect(section(page, number + 1).locator(".wizard-progress")).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    context.close()


# --------------------------------------------------------------- thumb targets

# Every control a thumb may aim at, with its size and where it is.
TARGETS_JS = """() => {
  const visible = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const inText = (el) => el.tagName === 'A' && el.closest('p, li:not(nav li):not(.footer-links li), dd, legend');
  const found = [];
  const controls = document.querySelectorAll(
    'main button, main summary, main select, main input:not([type=file]):not([type=hidden]), main label.button,'
    + 'header a, header summary, .footer-links a, .quick-exit a');
  for (const el of controls) {
    if (!visible(el) || inText(el)) continue;
    const target = el.closest('.choice') ?? el;  // a radio or checkbox: its whole row
    const box = target.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    found.push({ name: (el.id || el.textContent || el.name || el.tagName).trim().slice(0, 40),
      width: box.width, height: box.height,
      hits: !hit || target.contains(hit) || (el.labels && [...el.labels].includes(hit)) });
  }
  const rows = [...document.querySelectorAll('.choice')].filter(visible).map((r) => r.getBoundingClientRect());
  const gaps = rows.slice(1).map((box, i) => box.top - rows[i].bottom);
  return { found, gaps };
}"""


def assert_thumb_targets(page, where):
    page.evaluate("() => window.scrollTo(0, 0)")
    measured = page.evaluate(TARGETS_JS)
    small = [t for t in measured["found"] if t["width"] < 44 or t["height"] < 44]
    assert small == [], (where, small)
    assert all(t["hits"] for t in measured["found"]), (where, measured["found"])
    assert all(gap >= 8 for gap in measured["gaps"]), (where, measured["gaps"])


@pytest.mark.parametrize("lang", ["en", "ar", "hi"])
def test_targets_are_made_for_thumbs(phone, live_server, tmp_path, lang):
    phone.goto(f"{live_server}/{lang}/eligibility")
    assert_thumb_targets(phone, "eligibility 1")
    for _ in range(2):  # in the picture, intimate: then the age question
        phone.locator('input[type="radio"][value="yes"]').tap()
        with phone.expect_navigation():
            phone.locator('form[data-testid="eligibility-question"] button[type="submit"]').tap()
    expect(phone.locator("h1")).to_have_attribute("id", "question-age")
    assert_thumb_targets(phone, "age question")
    phone.goto(f"{live_server}/{lang}/submit")
    assert_thumb_targets(phone, "wizard step 1")
    confirm(phone)
    phone.get_by_test_id("file-input").set_input_files(
        [str(p) for p in small_pictures(tmp_path, 2)]
    )
    wait_until_hashed(phone, 2)
    assert_thumb_targets(phone, "wizard step 2")
    press_continue(phone, 2)
    expect(section(phone, 3)).to_be_visible()
    assert_thumb_targets(phone, "wizard step 3")
    press_continue(phone, 3)
    assert_thumb_targets(phone, "wizard step 4")


# ---------------------------------------------------------------- plural forms


def expected(live_app, lang, singular, plural, number, **variables):
    with live_app.test_request_context(), force_locale(lang):
        return ngettext(singular, plural, number, **variables)


@pytest.mark.parametrize("lang", ["hi", "ar"])
def test_counted_phrases_take_the_right_plural_form(phone, live_server, live_app, tmp_path, lang):
    phone.goto(f"{live_server}/{lang}/submit")
    confirm(phone)
    files = small_pictures(tmp_path, 5)
    shown = {}
    for count, chosen in [(1, files[:1]), (2, files[1:2]), (5, files[2:])]:
        phone.get_by_test_id("file-input").set_input_files([str(p) for p in chosen])
        wait_until_hashed(phone, count)
        shown[count] = phone.locator("[data-chosen-count]").text_content()
        assert shown[count] == expected(
            live_app,
            lang,
            "%(count)s of %(max)s file chosen",
            "%(count)s of %(max)s files chosen",
            count,
            count=count,
            max=20,
        )
        ready = phone.locator("[data-files-status]").text_content()
        assert ready == expected(
            live_app,
            lang,
            "%(count)s file is ready.",
            "%(count)s files are ready.",
            count,
            count=count,
        )
    if lang == "hi":
        assert shown[1] == "20 में से 1 फ़ाइल चुनी गई"
        assert shown[5] == "20 में से 5 फ़ाइलें चुनी गईं"
    else:
        assert [shown[1], shown[2], shown[5]] == [
            "اختير ملف واحد من أصل 20",
            "اختير ملفان من أصل 20",
            "اختيرت 5 ملفات من أصل 20",
        ]


# ---------------------------------------------------- language list at 320 px


def test_the_language_list_fits_a_320_pixel_screen_in_every_locale(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True)
    page = context.new_page()
    for lang in DEFAULTS["LANGUAGES"]:
        page.goto(f"{live_server}/{lang}/submit")
        page.locator(".language-switcher summary").tap()
        links = page.locator(".language-switcher li a")
        expect(links.first).to_be_visible()
        boxes = links.evaluate_all(
            "(links) => links.map((a) => a.getBoundingClientRect().toJSON())"
        )
        outside = [box for box in boxes if box["left"] < 0 or box["right"] > 320]
        assert outside == [], lang
        assert all(box["height"] >= 44 for box in boxes), lang
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), lang
    context.close()
