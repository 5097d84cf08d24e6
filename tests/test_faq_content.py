"""Checks on the FAQ Markdown under content/faq/<locale>/.

Pure file checks, no app needed. Every locale directory found is checked against
English, so a locale added later is covered automatically.
"""

import re
from collections import Counter
from pathlib import Path

import pytest

FAQ_DIR = Path(__file__).resolve().parents[1] / "content" / "faq"
REFERENCE = "en"
MIN_QUESTIONS = 30

ALLOWED_TOKENS = {
    "org_name",
    "contact_email",
    "partner_list",
    "under18_name",
    "under18_url",
    "max_files",
    "retention_days",
    "picture_formats",
    "video_formats",
}
CONDITIONS = {"mail", "government"}
CONDITION = re.compile(r"\{if (not )?([a-z_0-9]+)\}(.*?)\{end\}", re.DOTALL)
# Our own pages, relative to the FAQ page URL /<lang>/faq.
OUR_PAGES = {"eligibility", "support", "submit", "status"}

FILE_NAME = re.compile(r"^\d{2}-[a-z0-9-]+\.md$")
QUESTION = re.compile(r"^## (?P<text>.+?) \{#(?P<slug>[^}]*)\}\s*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOKEN = re.compile(r"\{([a-z_0-9]+)\}")
HTML_TAG = re.compile(r"</?[A-Za-z!][^>]*>")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]*)\)")
ABSOLUTE = re.compile(r"^(https://|mailto:)")
FORBIDDEN_NAMES = re.compile(r"stopncii|swgfl", re.IGNORECASE)


def locales():
    """All locale directories under content/faq/."""
    return sorted(p.name for p in FAQ_DIR.iterdir() if p.is_dir())


def topic_files(locale):
    return sorted((FAQ_DIR / locale).glob("*.md"))


def parse_topic(path):
    """Return (title, [(slug, question text, answer text), ...]) for one file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("# "), f"{path}: first line must be '# Title'"
    title = lines[0][2:].strip()
    questions = []
    for line in lines[1:]:
        assert not line.startswith("# "), f"{path}: only one level-1 heading allowed"
        if line.startswith("## "):
            match = QUESTION.match(line)
            assert match, f"{path}: question heading without '{{#slug}}': {line!r}"
            questions.append([match["slug"], match["text"].strip(), []])
        elif questions:
            questions[-1][2].append(line)
        else:
            assert "{" not in line, f"{path}: token in the intro paragraph: {line!r}"
    return title, [(slug, text, "\n".join(body).strip()) for slug, text, body in questions]


def questions_of(locale):
    """All questions of a locale, in file order then heading order."""
    result = []
    for path in topic_files(locale):
        result.extend(parse_topic(path)[1])
    return result


LOCALES = locales()


def test_reference_locale_exists():
    assert REFERENCE in LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_same_file_names_as_reference(locale):
    names = [p.name for p in topic_files(locale)]
    assert names == [p.name for p in topic_files(REFERENCE)]
    assert all(FILE_NAME.match(name) for name in names), names


@pytest.mark.parametrize("locale", LOCALES)
def test_every_topic_has_title_and_questions(locale):
    for path in topic_files(locale):
        title, questions = parse_topic(path)
        assert title, f"{path}: empty title"
        assert questions, f"{path}: no questions"
        for slug, text, answer in questions:
            assert text, f"{path}: #{slug} has an empty question"
            assert answer, f"{path}: #{slug} has no answer"


@pytest.mark.parametrize("locale", LOCALES)
def test_enough_questions(locale):
    assert len(questions_of(locale)) >= MIN_QUESTIONS


@pytest.mark.parametrize("locale", LOCALES)
def test_slugs_well_formed_and_unique(locale):
    slugs = [slug for slug, _, _ in questions_of(locale)]
    bad = [slug for slug in slugs if not SLUG.match(slug)]
    assert not bad, f"malformed slugs: {bad}"
    duplicates = [slug for slug, count in Counter(slugs).items() if count > 1]
    assert not duplicates, f"duplicate slugs: {duplicates}"


@pytest.mark.parametrize("locale", LOCALES)
def test_same_slugs_per_file_as_reference(locale):
    for path in topic_files(REFERENCE):
        expected = [slug for slug, _, _ in parse_topic(path)[1]]
        actual = [slug for slug, _, _ in parse_topic(FAQ_DIR / locale / path.name)[1]]
        assert actual == expected, f"{locale}/{path.name}: slug order differs from {REFERENCE}"


@pytest.mark.parametrize("locale", LOCALES)
def test_only_known_tokens(locale):
    for slug, text, answer in questions_of(locale):
        both = text + "\n" + answer
        conditions = {name for _, name, _ in CONDITION.findall(both)}
        assert conditions <= CONDITIONS, f"{locale} #{slug}: unknown conditions"
        unknown = set(TOKEN.findall(CONDITION.sub(r"\3", both))) - ALLOWED_TOKENS
        assert not unknown, f"{locale} #{slug}: unknown tokens {unknown}"


@pytest.mark.parametrize("locale", LOCALES)
def test_same_tokens_per_question_as_reference(locale):
    expected = {
        slug: Counter(TOKEN.findall(text + answer))
        for slug, text, answer in questions_of(REFERENCE)
    }
    for slug, text, answer in questions_of(locale):
        assert Counter(TOKEN.findall(text + answer)) == expected.get(slug), f"{locale} #{slug}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_raw_html_and_no_foreign_service_names(locale):
    for path in topic_files(locale):
        text = path.read_text(encoding="utf-8")
        assert not HTML_TAG.search(text), f"{path}: raw HTML {HTML_TAG.search(text)[0]!r}"
        assert not FORBIDDEN_NAMES.search(text), f"{path}: names another service as ours"


@pytest.mark.parametrize("locale", LOCALES)
def test_links_point_to_our_pages_or_questions(locale):
    slugs = {slug for slug, _, _ in questions_of(locale)}
    for slug, _text, answer in questions_of(locale):
        for target in LINK.findall(answer):
            if ABSOLUTE.match(target) or TOKEN.fullmatch(target):
                continue
            if target.startswith("#"):
                assert target[1:] in slugs, f"{locale} #{slug}: no question {target}"
            else:
                assert target in OUR_PAGES, f"{locale} #{slug}: unknown page link {target!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_same_links_per_question_as_reference(locale):
    expected = {slug: sorted(LINK.findall(answer)) for slug, _, answer in questions_of(REFERENCE)}
    for slug, _, answer in questions_of(locale):
        assert sorted(LINK.findall(answer)) == expected.get(slug), f"{locale} #{slug}"
