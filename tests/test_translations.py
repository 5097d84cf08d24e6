"""Catalog completeness: every enabled locale translates every message, none fuzzy,
and the template (messages.pot) is up to date with the source code."""

import gettext
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from openncii.config import DEFAULTS
from openncii.i18n import babel_code

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
SOURCE_LOCALE = "en"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
PLURAL_NUMBERS = {"count", "num"}  # the placeholders whose value picks a plural form
TRANSLATED_LOCALES = [code for code in DEFAULTS["LANGUAGES"] if code != SOURCE_LOCALE]


def read_catalog(path, locale=None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def message_ids(catalog):
    return {(message.context, message.id) for message in catalog if message.id}


def texts(value):
    return value if isinstance(value, (list, tuple)) else (value,)


def single_number_forms(catalog):
    """Plural forms used for one number only (Arabic's "two", for instance).

    Those may say their number in words ("ملفان", two files) instead of keeping the
    placeholder; every other form must show it.
    """
    choose = gettext.c2py(catalog.plural_expr)
    uses = Counter(choose(n) for n in range(1000))
    return {form for form, count in uses.items() if count == 1}


def placeholders_differ(entry, message, single_forms):
    expected = set(PLACEHOLDER.findall(texts(entry.id)[0]))
    for form, text in enumerate(texts(message.string)):
        may_drop = PLURAL_NUMBERS if entry.pluralizable and form in single_forms else set()
        if not expected - may_drop <= set(PLACEHOLDER.findall(text)) <= expected:
            return True
    return False


def test_template_matches_the_source(tmp_path):
    """messages.pot holds exactly the messages in the code: run `make translations-update`."""
    fresh = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            pybabel,
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            fresh,
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    stale = message_ids(read_catalog(TRANSLATIONS / "messages.pot"))
    current = message_ids(read_catalog(fresh))
    assert current - stale == set(), "new messages not in messages.pot"
    assert stale - current == set(), "messages.pot holds messages the code no longer uses"


@pytest.mark.parametrize("locale", TRANSLATED_LOCALES)
def test_locale_is_fully_translated(locale):
    template = read_catalog(TRANSLATIONS / "messages.pot")
    code = babel_code(locale)
    catalog = read_catalog(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", code)
    single_forms = single_number_forms(catalog)
    problems = []
    for entry in template:
        if not entry.id:
            continue
        message = catalog.get(entry.id, context=entry.context)
        translations = texts(message.string) if message else ()
        if message is None or not all(translations):
            problems.append(f"untranslated: {entry.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {entry.id!r}")
        elif placeholders_differ(entry, message, single_forms):
            problems.append(f"placeholders differ: {entry.id!r}")
    assert problems == [], f"{locale}: {len(problems)} problems:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize(
    "locale,forms",
    [("ar", {0, 1, 2}), ("he", {0}), ("fr", set()), ("de", {0}), ("ja", set()), ("ru", set())],
)
def test_forms_that_may_say_their_number_in_words(locale, forms):
    code = babel_code(locale)
    catalog = read_catalog(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", code)
    assert single_number_forms(catalog) == forms
