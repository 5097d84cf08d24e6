"""The confirmation page on a 320 px phone: the case number never breaks inside a group.

Screenshots go to ``$OPENNCII_SCREENSHOTS`` if set (to look at them), else to the
test's temporary folder.
"""

import os
from pathlib import Path

import pytest
from case_helpers import case_body
from helpers import create_case_in

pytestmark = pytest.mark.browser

# Each group's text and how many line boxes it spans (1 = not split).
GROUP_LINES = """(number) => [...number.querySelectorAll('.group')].map((group) => {
  const range = document.createRange();
  range.selectNodeContents(group);
  const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
  return [group.textContent, lines.size];
})"""


@pytest.mark.parametrize("lang", ["en", "ar", "zh-Hans"])
def test_case_number_groups_stay_whole_at_320px(live_server, browser, lang, tmp_path):
    folder = Path(os.environ.get("OPENNCII_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/submit")
    number = create_case_in(page, case_body())
    page.goto(f"{live_server}/{lang}/submit/done")
    shown = page.get_by_test_id("case-number")
    assert shown.inner_text() == number
    groups = shown.evaluate(GROUP_LINES)
    assert [text for text, _ in groups] == number.split("-")
    assert all(lines == 1 for _, lines in groups), groups
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scroll
    page.screenshot(path=folder / f"confirmation-320-{lang}.png", full_page=True)
    context.close()
