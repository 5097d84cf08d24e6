"""The reviewer's sheet (`make translations-review LOCALE=xx`): the safety-critical
messages of one locale, English beside the translation, on one page."""

import html
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import translations_review  # noqa: E402

GLOSSARY = translations_review.load_glossary()
LOCALES = sorted(GLOSSARY["locales"])
LOCKOUT = (
    "For your safety, signing in with this case number is paused for a while after "
    "several wrong tries. Please try again in %(wait)s."
)


def test_the_command_writes_one_page_with_english_beside_the_translation(tmp_path):
    out = tmp_path / "he.html"
    script = ROOT / "scripts" / "translations_review.py"
    result = subprocess.run(
        [sys.executable, script, "he", "--out", out], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    hebrew = translations_review.load_catalog("he")[LOCKOUT].string
    row = f'<td>{html.escape(LOCKOUT)}</td><td lang="he" dir="rtl">{html.escape(hebrew)}</td>'
    assert row in page
    for section in GLOSSARY["review"]:
        assert f"<h2>{html.escape(section['title'])}</h2>" in page
    assert "מספר פנייה" in page  # the glossary's chosen word for "case number"
    assert "תיק" in page  # and the avoided one, with its reason


def test_an_unknown_locale_is_refused(tmp_path):
    script = ROOT / "scripts" / "translations_review.py"
    result = subprocess.run([sys.executable, script, "xx", "--out", tmp_path / "x.html"])
    assert result.returncode == 2
    assert not (tmp_path / "x.html").exists()


def test_every_section_finds_its_messages_in_the_template():
    """A renamed message must not silently drop out of the sheet."""
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        template = read_po(handle)
    for title, messages in translations_review.review_sections(GLOSSARY, template):
        assert messages, f"review section {title!r} matches no message"
    for section in GLOSSARY["review"]:
        for pattern in section["english"]:
            found = translations_review.review_sections(
                {"review": [{**section, "english": [pattern]}]}, template
            )
            assert found[0][1], (
                f"review pattern {pattern!r} ({section['title']}) matches no message"
            )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_a_complete_sheet(locale):
    page = translations_review.render(locale, GLOSSARY, translations_review.load_catalog(locale))
    assert "<em>missing</em>" not in page
    assert LOCKOUT in html.unescape(page)
