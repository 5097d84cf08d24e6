"""The glossary (translations/glossary.toml): the words that carry safety in every language.

A message whose English names a concept ("case", "intimate", the PIN's one-way storage…)
must not use a word the glossary marks to avoid in that locale, and neither may a FAQ
passage (a question and its answer, matched to English by its slug). Each locale's chosen
term must be the one its anchor message uses, and "Sign out" must not look like the
quick-exit button.
"""

import os
import re
import sys
from pathlib import Path

import pytest
from openncii.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
FAQ_DIR = ROOT / "content" / "faq"
QUESTION = re.compile(r"^## .*\{#(?P<slug>[^}]*)\}\s*$")
NOT_PROSE = re.compile(r"\{#[^}]*\}|\]\([^)]*\)")  # anchors and link targets stay English
LOCALES = [code for code in DEFAULTS["LANGUAGES"] if code != "en"]

sys.path.insert(0, str(ROOT / "scripts"))
from translations_review import load_catalog as catalog  # noqa: E402
from translations_review import load_glossary, texts  # noqa: E402


def faq_passages(locale):
    """``{(file name, slug or "#intro"): text}``: each question with its answer, as prose."""
    passages = {}
    for path in sorted((FAQ_DIR / locale).glob("*.md")):
        key = (path.name, "#intro")
        for line in path.read_text(encoding="utf-8").splitlines():
            match = QUESTION.match(line)
            if match:
                key = (path.name, match["slug"])
            passages[key] = passages.get(key, "") + NOT_PROSE.sub("]", line) + "\n"
    return passages


def translated(messages, english):
    """The translation of one English message; a clear failure if the message is gone."""
    message = messages.get(english)
    assert message is not None, (
        f"{english!r} is no longer a message: point translations/glossary.toml at its new text"
    )
    return message.string


def avoided(glossary, locale):
    """``(concept English pattern, avoided-term pattern, entry)`` for one locale."""
    for entry in glossary["locales"][locale].get("avoid", []):
        english = re.compile(glossary["concepts"][entry["concept"]]["english"], re.I | re.M)
        yield english, re.compile(entry["term"], re.I | re.M), entry


def message_problems(glossary, locale, messages):
    """Messages whose English names a concept and whose translation uses an avoided term."""
    problems = []
    for english, term, entry in avoided(glossary, locale):
        for message in messages:
            if not message.id or not any(english.search(text) for text in texts(message.id)):
                continue
            for text in texts(message.string):
                found = term.search(text)
                if found:
                    problems.append(
                        f"{locale}: {texts(message.id)[0]!r} uses {found[0]!r} "
                        f"({entry['concept']}: {entry['reason']}): {text!r}"
                    )
    return problems


def faq_problems(glossary, locale, english_passages, passages):
    """FAQ passages whose English names a concept and whose translation uses an avoided term."""
    problems = []
    for english, term, entry in avoided(glossary, locale):
        for key, text in passages.items():
            if key[1] in entry.get("faq_except", []) or not english.search(
                english_passages.get(key, "")
            ):
                continue
            for found in term.finditer(text):
                start = max(found.start() - 30, 0)
                problems.append(
                    f"{locale} FAQ {key[0]} {key[1]}: uses {found[0]!r} "
                    f"({entry['concept']}: {entry['reason']}): …{text[start : found.end() + 30]!r}…"
                )
    return problems


def kinds_missing(kinds, translation):
    """The kinds of image (nude, partly nude, sexual) a translation does not name."""
    return [kind for kind, word in kinds.items() if not re.search(word, translation, re.I)]


GLOSSARY = load_glossary()


def test_glossary_covers_every_locale_and_concept():
    assert sorted(GLOSSARY["locales"]) == sorted(LOCALES)
    core = {
        "case",
        "case_number",
        "intimate",
        "fingerprint",
        "withdraw",
        "sign_out",
        "leave_quickly",
        "pin",
    }
    for locale, entry in GLOSSARY["locales"].items():
        assert set(entry["terms"]) == core, locale
        for avoid in entry.get("avoid", []):
            assert avoid["concept"] in GLOSSARY["concepts"], (locale, avoid)
            assert avoid["reason"].strip(), (locale, avoid)
            re.compile(avoid["term"])
            slugs = {slug for _, slug in faq_passages("en")}
            assert set(avoid.get("faq_except", [])) <= slugs, (locale, avoid)


@pytest.mark.parametrize("locale", LOCALES)
def test_messages_avoid_the_glossary_terms(locale):
    problems = message_problems(GLOSSARY, locale, catalog(locale))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_faq_avoids_the_glossary_terms(locale):
    problems = faq_problems(GLOSSARY, locale, faq_passages("en"), faq_passages(locale))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_anchor_messages_use_the_chosen_terms(locale):
    """The glossary names the word the catalog really uses, so translators can follow it."""
    entry = GLOSSARY["locales"][locale]
    messages = catalog(locale)
    for concept, term in entry["terms"].items():
        anchor = GLOSSARY["concepts"][concept]["anchor"]
        translation = " ".join(texts(translated(messages, anchor))).casefold()
        forms = [term, *entry.get("forms", {}).get(concept, [])]
        assert any(form.casefold() in translation for form in forms), (
            f"{locale}: {anchor!r} is translated {translation!r}, "
            f"without the glossary's {concept} term {term!r}"
        )


@pytest.mark.parametrize("locale", LOCALES)
def test_eligibility_consent_and_headline_name_the_kinds_of_image(locale):
    """Nude, partly nude, sexual: spelled out, so no one is turned away by the word "intimate"."""
    kinds = GLOSSARY["locales"][locale]["kinds"]
    assert set(kinds) == {"nude", "partly_nude", "sexual"}
    messages = catalog(locale)
    for english in GLOSSARY["kinds"]["messages"]:
        translation = translated(messages, english)
        missing = kinds_missing(kinds, translation)
        assert not missing, f"{locale}: {translation!r} does not name {missing} ({english!r})"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_pin_is_kept_one_way(locale):
    """Lost PIN: we keep only a form that cannot be turned back (never "encrypted")."""
    anchor = GLOSSARY["concepts"]["pin_storage"]["anchor"]
    translation = translated(catalog(locale), anchor)
    assert re.search(GLOSSARY["locales"][locale]["one_way"], translation, re.I), translation


@pytest.mark.parametrize("locale", LOCALES)
def test_sign_out_does_not_look_like_quick_exit(locale):
    messages = catalog(locale)
    sign_out = translated(messages, "Sign out").casefold()
    leave = translated(messages, "Leave this site quickly").casefold()
    assert sign_out.split()[0] != leave.split()[0], (sign_out, leave)
    assert len(os.path.commonprefix([sign_out, leave])) <= 3, (sign_out, leave)  # Thai, CJK
    assert sign_out not in leave and leave not in sign_out, (sign_out, leave)


@pytest.mark.parametrize("locale", LOCALES)
def test_faq_names_the_quick_exit_button_as_the_page_does(locale):
    button = translated(catalog(locale), "Leave this site quickly")
    answer = faq_passages(locale)[("03-privacy.md", "leave-quickly")]
    assert button in answer, (button, answer)


def test_a_planted_avoided_term_is_caught():
    """Put Swahili 'kesi' back in a message and a FAQ answer: both checks catch it."""
    messages = catalog("sw")
    message = messages["Withdraw my case"]
    assert not message_problems(GLOSSARY, "sw", [message])
    message.string = "Ondoa kesi yangu"
    assert message_problems(GLOSSARY, "sw", [message])

    english = faq_passages("en")
    passages = faq_passages("sw")
    assert not faq_problems(GLOSSARY, "sw", english, passages)
    key = next(
        key for key, text in english.items() if re.search(r"\bcase\b", text) and key in passages
    )
    passages[key] += "Fungua kesi yangu.\n"
    assert faq_problems(GLOSSARY, "sw", english, passages)


def test_a_planted_encrypted_pin_is_caught():
    """Say 'encrypted' for the PIN's one-way hash again, in Spanish: the check catches it."""
    messages = catalog("es")
    anchor = GLOSSARY["concepts"]["pin_storage"]["anchor"]
    message = messages[anchor]
    assert not message_problems(GLOSSARY, "es", [message])
    message.string = (
        "Si perdiste tu PIN, no podemos recuperarlo, porque solo guardamos una versión cifrada."
    )
    assert message_problems(GLOSSARY, "es", [message])


def test_a_question_that_only_says_intimate_is_caught():
    """Urdu's old eligibility question said only "private" (نجی): the kinds check catches it."""
    kinds = GLOSSARY["locales"]["ur"]["kinds"]
    assert kinds_missing(kinds, "کیا تصویر یا ویڈیو نجی ہے؟") == ["nude", "partly_nude", "sexual"]
    assert not kinds_missing(kinds, "کیا تصویر یا ویڈیو برہنہ، نیم برہنہ یا جنسی ہے؟")


def test_the_old_negative_tagalog_age_question_is_caught():
    message = catalog("tl")["Were you under 18 when it was taken?"]
    assert not message_problems(GLOSSARY, "tl", [message])
    message.string = "Wala ka pa bang 18 nang kunan ito?"
    assert message_problems(GLOSSARY, "tl", [message])
