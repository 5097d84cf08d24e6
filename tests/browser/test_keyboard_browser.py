"""Keyboard use, page structure, zoom and motion on the helpdesk pages, in real Chromium."""

import pytest
from helpers import axe_violations, localized_pages

pytestmark = pytest.mark.browser
MAIN_PAGES = ["/", "/faq", "/eligibility", "/support", "/privacy", "/status", "/submit"]
# axe's structure rules (outside the WCAG tags): one h1, no skipped heading level,
# one banner/main/contentinfo, every landmark named apart, all content in a landmark.
STRUCTURE_RULES = [
    "page-has-heading-one",
    "heading-order",
    "landmark-one-main",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-unique",
    "region",
    "bypass",
]

MARK_FOCUSABLE = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
  // A radio group is one Tab stop (arrow keys move inside it): its checked or first radio.
  const groupStop = (radio) => {
    const group = [...radio.form.elements].filter((other) => other.name === radio.name);
    return (group.find((other) => other.checked) ?? group[0]) === radio;
  };
  const shown = [...document.querySelectorAll(selector)].filter((element) =>
    element.tabIndex >= 0 && !element.disabled
    && element.checkVisibility({visibilityProperty: true})  // not inside a closed <details>
    && (element.type !== 'radio' || groupStop(element)));
  shown.forEach((element, index) => { element.dataset.order = index; });
  return shown.length;
}"""
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {order: element.dataset.order ?? null, tag: element.tagName,
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tab_reaches_every_control_in_order_with_visible_focus(live_server, page, lang):
    for path in MAIN_PAGES:
        page.goto(f"{live_server}/{lang}{path}")
        total = page.evaluate(MARK_FOCUSABLE)
        reached = []
        for _ in range(total):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(FOCUSED))
        assert [stop["order"] for stop in reached] == [str(n) for n in range(total)], path
        unmarked = [stop["tag"] for stop in reached if not stop["outline"]]
        assert unmarked == [], f"{path}: focus not visible on {unmarked}"


def test_skip_link_moves_the_focus_to_the_main_content(live_server, page):
    page.goto(live_server + "/en/faq")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("lang", ["en", "ar", "ja"])
def test_headings_and_landmarks_are_in_order(live_app, live_server, page, lang):
    found = {}
    for template in localized_pages(live_app):
        page.goto(live_server + template.format(lang=lang))
        violations = axe_violations(page, STRUCTURE_RULES)
        if violations:
            found[template] = violations
    assert found == {}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_reflow_at_200_percent_zoom(live_server, browser, lang):
    """A 1280 px wide window at 200% zoom lays pages out in 640 CSS pixels."""
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    for path in MAIN_PAGES:
        page.goto(f"{live_server}/{lang}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    context.close()


MOVING = """() => [...document.querySelectorAll('*')].filter((element) => {
  const style = getComputedStyle(element);
  const seconds = (value) => Math.max(...value.split(',').map(parseFloat));
  return style.animationName !== 'none' || seconds(style.transitionDuration) > 0
    || style.scrollBehavior === 'smooth';
}).map((element) => element.tagName + '.' + element.className)"""


def test_nothing_moves_when_reduced_motion_is_asked_for(live_server, browser):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    for path in MAIN_PAGES:
        page.goto(f"{live_server}/en{path}")
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert page.evaluate(MOVING) == [], path
        assert page.evaluate("document.getAnimations().length") == 0, path
    context.close()
