"""The wizard page without a browser: the words its script needs, in every locale."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from babel import Locale
from openncii.i18n import babel_code

SCRIPTS = Path(__file__).resolve().parents[2] / "static" / "js" / "wizard"
MESSAGES_BLOCK = re.compile(
    r'<script type="application/json" id="wizard-messages">(.*?)</script>', re.S
)
# Error codes hashFile reports (static/js/hashing/index.js), and the wizard's own.
FILE_PROBLEMS = {
    "unsupported-format",
    "empty-file",
    "corrupt-file",
    "too-small",
    "hashing-failed",
    "low-quality",
    "duplicate",
}
# Spanish "many" (a million and up) has no sample under 1000: the script falls back to "other".
PLURAL_CATEGORIES = {
    "en": {"one", "other"},
    "es": {"one", "other"},
    "ar": {"zero", "one", "two", "few", "many", "other"},
}


def page_messages(client, lang):
    response = client.get(f"/{lang}/submit")
    assert response.status_code == 200
    return json.loads(MESSAGES_BLOCK.search(response.get_data(as_text=True)).group(1))


def single_number_categories(lang):
    """Plural categories used for one number only (Arabic "two"): may say it in words."""
    rule = Locale.parse(babel_code(lang)).plural_form
    uses = Counter(rule(n) for n in range(1000))
    return {category for category, count in uses.items() if count == 1}


def used_keys():
    """``messages.<key>`` and ``messages[`${kind}Error`]`` as the scripts use them."""
    source = "\n".join(path.read_text() for path in SCRIPTS.glob("*.js"))
    keys = set(re.findall(r"(?<!/)messages\.(\w+)(?!')", source))  # not './messages.js'
    kinds = re.findall(r"kind: '(\w+)'", (SCRIPTS / "submit.js").read_text())
    return keys | {f"{kind}Error" for kind in kinds if kind != "rejected"}


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_every_message_the_scripts_use_is_in_the_page(client, lang):
    messages = page_messages(client, lang)
    assert used_keys() <= set(messages), used_keys() - set(messages)
    assert set(messages["problems"]) == FILE_PROBLEMS
    for key in ("chosen", "refused", "pictures", "videos", "fingerprints", "readyVideo"):
        assert set(messages[key]) == PLURAL_CATEGORIES[lang], key
        assert all(
            "{count}" in text
            for category, text in messages[key].items()
            if category not in single_number_categories(lang)
        ), key
    assert "20" in messages["chosen"]["other"]


def test_the_page_follows_the_file_limit(make_app):
    client = make_app(MAX_FILES_PER_CASE=5).test_client()
    html = client.get("/en/submit").get_data(as_text=True)
    assert 'data-max-files="5"' in html
    assert page_messages(client, "en")["chosen"]["one"] == "{count} of 5 file chosen"


def test_the_page_carries_the_test_hooks_and_the_no_javascript_notice(client):
    html = client.get("/ar/submit").get_data(as_text=True)
    for hook in (
        "file-input",
        "file-card",
        "submit-case",
        "pin",
        "pin-confirm",
        "consent-me",
        "consent-adult",
        "consent-intimate",
        "consent-partners",
    ):
        assert f'data-testid="{hook}"' in html, hook
    assert "data-wizard-nojs" in html and 'dir="rtl"' in html
