"""The reviewer's sheet: one HTML page per locale for a second fluent reader.

    python scripts/translations_review.py LOCALE [--out PATH]

Lists the glossary's chosen and avoided words, then the safety-critical messages
(sections and patterns in translations/glossary.toml, ``[[review]]``) with the English
beside the translation. Written to build/translations-review/<locale>.html unless --out
says otherwise; the path is printed.
"""

import argparse
import html
import re
import sys
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

from openncii.i18n import RTL_LANGUAGES, babel_code  # noqa: E402

GLOSSARY = ROOT / "translations" / "glossary.toml"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Translation review: {locale}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2rem; }}
th, td {{ border: 1px solid #bbb; padding: .4rem .6rem; vertical-align: top; text-align: start; }}
th {{ background: #eee; }}
td.check {{ width: 4rem; }}
.context {{ color: #555; font-size: .85em; }}
</style>
</head>
<body>
<h1>Translation review: {locale}</h1>
<p>For a second fluent reader, before <code>{locale}</code> is enabled in production. Read each
translation beside the English: would a frightened person understand exactly the same thing?
Tick a row when it is right; write down anything that is not, with your suggestion, and send
it to the maintainers (CONTRIBUTING-TRANSLATIONS.md). About ten minutes.</p>
<h2>Words chosen for this language</h2>
{terms}
<h2>Words avoided, and why</h2>
{avoid}
{sections}
</body>
</html>
"""


def load_glossary(path=GLOSSARY):
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def load_catalog(locale, root=ROOT):
    path = root / "translations" / babel_code(locale) / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        return read_po(handle)


def texts(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def review_sections(glossary, catalog):
    """``[(title, [message, ...]), ...]``: each message in the first section matching it."""
    taken = set()
    sections = []
    for section in glossary["review"]:
        patterns = [re.compile(pattern, re.I) for pattern in section["english"]]
        chosen = []
        for message in catalog:
            key = (message.context, texts(message.id)[0])
            if not message.id or key in taken:
                continue
            if any(p.search(text) for p in patterns for text in texts(message.id)):
                chosen.append(message)
                taken.add(key)
        sections.append((section["title"], chosen))
    return sections


def _table(headers, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(text, lang=None, direction=None):
    attributes = ""
    if lang:
        attributes += f' lang="{html.escape(lang)}"'
    if direction:
        attributes += f' dir="{direction}"'
    return f"<td{attributes}>{text}</td>"


def render(locale, glossary, catalog):
    entry = glossary["locales"][locale]
    direction = "rtl" if locale in RTL_LANGUAGES else "ltr"
    esc = html.escape
    terms = _table(
        ["Concept", "Meaning", "Chosen word"],
        [
            [
                _td(esc(concept)),
                _td(esc(glossary["concepts"][concept]["meaning"])),
                _td(esc(term), locale, direction),
            ]
            for concept, term in entry["terms"].items()
        ],
    )
    avoid = _table(
        ["Concept", "Avoided (pattern)", "Why"],
        [
            [
                _td(esc(a["concept"])),
                _td(f"<code>{esc(a['term'])}</code>", locale, direction),
                _td(esc(a["reason"])),
            ]
            for a in entry.get("avoid", [])
        ],
    )
    parts = []
    for title, messages in review_sections(glossary, catalog):
        rows = []
        for message in messages:
            english = "<br>".join(esc(text) for text in texts(message.id))
            if message.context:
                english += f'<div class="context">({esc(message.context)})</div>'
            translation = (
                "<br>".join(esc(text) for text in texts(message.string)) or "<em>missing</em>"
            )
            rows.append(
                [_td(english), _td(translation, locale, direction), '<td class="check">☐</td>']
            )
        parts.append(f"<h2>{esc(title)}</h2>\n" + _table(["English", locale, "OK?"], rows))
    return PAGE.format(locale=esc(locale), terms=terms, avoid=avoid, sections="\n".join(parts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locale", help="BCP 47 code as in the URLs: he, pt-BR, zh-Hans…")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    glossary = load_glossary()
    if args.locale not in glossary["locales"]:
        parser.error(f"no such locale in the glossary: {args.locale}")
    out = args.out or ROOT / "build" / "translations-review" / f"{args.locale}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(args.locale, glossary, load_catalog(args.locale)), encoding="utf-8")
    print(out)


if __name__ == "__main__":
    main()
