"""The wizard page without a browser: the words its script needs, in every locale."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from openncii import policy

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
POLICY_BLOCK = re.compile(
    r'<script type="application/json" id="wizard-policy">(.*?)</script>', re.S
)
# Plural forms of each catalog (its Plural-Forms header).
PLURAL_FORMS = {"en": 2, "es": 2, "ar": 6, "hi": 2, "ja": 1, "ru": 3}


def page_messages(client, lang):
    response = client.get(f"/{lang}/submit")
    assert response.status_code == 200
    return json.loads(MESSAGES_BLOCK.search(response.get_data(as_text=True)).group(1))


def single_number_forms(rule):
    """Plural forms used for one number only (Arabic "two"): may say it in words."""
    uses = Counter(rule)
    return {form for form, count in uses.items() if count == 1}


def page_policy(client, lang="en"):
    html = client.get(f"/{lang}/submit").get_data(as_text=True)
    return json.loads(POLICY_BLOCK.search(html).group(1))


def used_keys():
    """``messages.<key>`` and ``messages[`${kind}Error`]`` as the scripts use them."""
    source = "\n".join(path.read_text() for path in SCRIPTS.glob("*.js"))
    keys = set(re.findall(r"(?<!/)messages\.(\w+)(?!')", source))  # not './messages.js'
    kinds = re.findall(r"kind: '(\w+)'", (SCRIPTS / "submit.js").read_text())
    return keys | {f"{kind}Error" for kind in kinds if kind != "rejected"}


@pytest.mark.parametrize("lang", list(PLURAL_FORMS))
def test_every_message_the_scripts_use_is_in_the_page(client, lang):
    messages = page_messages(client, lang)
    assert used_keys() <= set(messages), used_keys() - set(messages)
    assert set(messages["problems"]) == FILE_PROBLEMS
    rule = messages["pluralRule"]
    assert sorted(set(rule)) == list(range(PLURAL_FORMS[lang]))
    for key in ("chosen", "refused", "pictures", "videos", "fingerprints", "readyVideo"):
        assert len(messages[key]) == PLURAL_FORMS[lang], key
        assert all(
            "{count}" in text
            for form, text in enumerate(messages[key])
            if form not in single_number_forms(rule)
        ), key
    assert "20" in messages["chosen"][-1]


def test_the_page_follows_the_file_limit(make_app):
    client = make_app(MAX_FILES_PER_CASE=5).test_client()
    assert page_policy(client)["maxFiles"] == 5
    assert page_messages(client, "en")["chosen"][0] == "{count} of 5 file chosen"


def test_the_page_carries_the_policy(client):
    """Limits, PIN rules, formats and steps come from openncii.policy, and the hint, the
    file picker and the FAQ list the same formats."""
    found = page_policy(client)
    assert found == policy.for_browser(20)
    html = client.get("/en/submit").get_data(as_text=True)
    accept = re.search(r'accept="([^"]*)"', html).group(1).split(",")
    for fmt in policy.FORMATS:
        assert {f".{ext}" for ext in fmt.extensions} <= set(accept), fmt.name
        assert set(fmt.mime_types) <= set(accept), fmt.name
        assert fmt.name in re.search(r'id="file-hint"[^>]*>(.*?)</p>', html).group(1)
    faq = client.get("/en/faq").get_data(as_text=True)
    for name in ("HEIC", "WebP", "AVIF", "M4V", "WEBM", "MKV"):
        assert name in faq, name
    assert "Step 2 of 5" in html


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


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_pin_texts_and_fields_take_their_numbers_from_the_policy(make_app, monkeypatch, lang):
    monkeypatch.setattr(policy, "PIN_MIN", 9)
    monkeypatch.setattr(policy, "PIN_MAX", 40)
    client = make_app().test_client()
    html = client.get(f"/{lang}/submit").get_data(as_text=True)
    hint = re.search(r'id="pin-hint">(.*?)</p>', html).group(1)
    messages = page_messages(client, lang)
    for text in (hint, messages["strength"]["short"], messages["pinShort"]):
        assert re.search(r"\b9\b", text) and not re.search(r"\b6\b", text), text
    assert re.findall(r'maxlength="(\d+)"', html) == ["40", "40"]
