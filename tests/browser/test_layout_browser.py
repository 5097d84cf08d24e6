"""Right-to-left layout and page weight, measured in real Chromium."""

import io

import pytest
from helpers import WEIGHT_LIMIT, first_load_bytes
from PIL import Image

pytestmark = pytest.mark.browser
EXIT_RED = (0x9B, 0x1C, 0x1C)
MAIN_PAGES = ["/", "/faq", "/eligibility", "/support", "/privacy"]


def red_pixels_centre(png):
    """Mean x of the quick-exit button's red pixels, as a fraction of the width."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    xs = [
        x
        for x in range(image.width)
        for y in range(0, min(image.height, 120), 2)
        if image.getpixel((x, y)) == EXIT_RED
    ]
    assert xs, "quick-exit button not found in the screenshot"
    return sum(xs) / len(xs) / image.width


def box_centre(page, selector):
    box = page.locator(selector).first.bounding_box()
    return (box["x"] + box["width"] / 2) / page.viewport_size["width"]


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_arabic_layout_is_mirrored(live_server, browser, path, tmp_path):
    sides = {}
    for lang in ["en", "ar"]:
        context = browser.new_context(viewport={"width": 1024, "height": 700})
        page = context.new_page()
        page.goto(f"{live_server}/{lang}{path}")
        png = page.screenshot()
        (tmp_path / f"{lang}{path.replace('/', '_')}.png").write_bytes(png)
        sides[lang] = {
            "exit": red_pixels_centre(png),
            "name": box_centre(page, ".site-name"),
            "nav": box_centre(page, ".site-nav li"),
        }
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        context.close()
    english, arabic = sides["en"], sides["ar"]
    assert english["exit"] > 0.5 > arabic["exit"]  # quick exit on the logical end
    assert english["name"] < 0.5 < arabic["name"]  # site name on the logical start
    assert english["nav"] < 0.5 < arabic["nav"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_reflow_at_320_pixels(live_server, browser, lang):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in MAIN_PAGES:
        page.goto(f"{live_server}/{lang}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    context.close()


def test_first_load_of_each_helpdesk_page_is_light(live_app, live_server, browser):
    """HTML + CSS + JS of a first visit stays under 50 KB: every page in English and
    Arabic, and the heaviest ones (FAQ, wizard) in every locale."""
    urls = {
        f"/{lang}{path}" for lang in ["en", "ar"] for path in MAIN_PAGES + ["/submit", "/status"]
    }
    urls |= {
        f"/{lang}{path}" for lang in live_app.config["LANGUAGES"] for path in ["/faq", "/submit"]
    }
    weights = {url: first_load_bytes(browser, live_server + url) for url in sorted(urls)}
    heavy = {url: size for url, size in weights.items() if not 0 < size < WEIGHT_LIMIT}
    assert heavy == {}
