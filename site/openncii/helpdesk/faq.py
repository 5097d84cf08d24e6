"""The FAQ: Markdown files under ``content/faq/<locale>/``, rendered once and cached.

File format, one file per topic (``NN-topic.md``, same names in every locale)::

    # Topic title
    Optional intro paragraph.

    ## A question? {#stable-slug}
    The answer, in Markdown.

``{org_name}``-style tokens are filled from the operator's configuration. Text that is
true only for some configurations sits between ``{if mail}`` (or ``{if not mail}``)
and ``{end}``, inline or across paragraphs; it is kept or dropped before the Markdown
is read (the conditions are :func:`openncii.helpdesk.content.operator_conditions`).
Raw HTML in the Markdown is escaped, never passed through.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import markdown
from markupsafe import Markup, escape

from . import faqsearch

QUESTION = re.compile(r"^## +(?P<title>.+?) *\{#(?P<slug>[a-z0-9-]+)\} *$", re.MULTILINE)
TOKEN = re.compile(r"\{([a-z_0-9]+)\}")
CONDITION = re.compile(r"\{if (not )?([a-z_0-9]+)\}(.*?)\{end\}", re.DOTALL)


@dataclass(frozen=True)
class Question:
    slug: str
    title: str
    html: Markup
    text: str  # plain text of question and answer
    terms: faqsearch.Terms  # what search matches against


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    intro: Markup
    questions: tuple


class FaqError(ValueError):
    """A FAQ file does not follow the format."""


class _NoRawHtml(markdown.Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render_markdown(text):
    return Markup(markdown.markdown(text, extensions=[_NoRawHtml(), "sane_lists"]))


def apply_conditions(text, conditions, path):
    """Keep ``{if name}…{end}`` when ``conditions[name]`` holds (``{if not name}``: when not)."""

    def keep(match):
        negated, name, inside = match.groups()
        if name not in conditions:
            raise FaqError(f"{path}: unknown condition {{if {name}}}")
        return inside if bool(conditions[name]) != bool(negated) else ""

    kept = CONDITION.sub(keep, text)
    return re.sub(r"\n{3,}", "\n\n", kept)


def fill_tokens(text, values, path):
    def replace(match):
        if match.group(1) not in values:
            raise FaqError(f"{path}: unknown token {{{match.group(1)}}}")
        return values[match.group(1)]

    return TOKEN.sub(replace, text)


def plain_text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


NO_RULES = faqsearch.Rules({}, frozenset(), False)


def parse_topic(path, values, conditions=None, rules=NO_RULES):
    source = apply_conditions(path.read_text(encoding="utf-8"), conditions or {}, path)
    heading, _, body = source.partition("\n")
    if not heading.startswith("# "):
        raise FaqError(f"{path}: the first line must be '# Topic title'")
    parts = QUESTION.split(body)
    intro, rest = parts[0], parts[1:]
    questions = []
    for title, slug, answer in zip(rest[0::3], rest[1::3], rest[2::3], strict=True):
        title = fill_tokens(title, values, path)
        html = render_markdown(fill_tokens(answer, values, path))
        text = plain_text(f"{escape(title)} {html}")
        questions.append(Question(slug, title, html, text, faqsearch.terms(text, rules)))
    if not questions:
        raise FaqError(f"{path}: no '## Question {{#slug}}' headings found")
    topic_slug = path.stem.split("-", 1)[-1]
    return Topic(
        topic_slug,
        heading[2:].strip(),
        render_markdown(fill_tokens(intro, values, path)),
        tuple(questions),
    )


def load_faq(folder, values, conditions=None, rules=None):
    """Every topic of one locale's folder, in file-name order; ``rules`` for searching."""
    paths = sorted(Path(folder).glob("*.md"))
    if not paths:
        raise FaqError(f"{folder}: no FAQ files")
    return tuple(parse_topic(path, values, conditions, rules or NO_RULES) for path in paths)


def search(topics, query, rules):
    """The topics again, keeping only questions that match ``query`` (see faqsearch)."""
    wanted = faqsearch.query_terms(query, rules)
    found = []
    for topic in topics:
        questions = tuple(q for q in topic.questions if faqsearch.matches(q.terms, wanted, rules))
        if questions:
            found.append(Topic(topic.slug, topic.title, topic.intro, questions))
    return found
