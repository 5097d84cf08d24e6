"""FAQ search that finds what people type: per-locale synonyms, stop words, word stems.

Each locale's FAQ folder has a ``search.txt``::

    # comments start with '#'
    lost: lose, lost, losing, forgot, forget, misplaced, can't find
    pin: pin, password, passcode
    stop: i, my, the, a

A ``name: …`` line is one group of words or phrases that mean the same; in both the
questions and the query each of them is read as the group (longest phrases first), so
"forgot my password" finds "What if I lose my case number or PIN?". ``stop:`` lists
words a query may leave out. A group's entries are also stems: an entry matches
any word that starts with it ("olvid" finds "olvidé", "olvidado").

What is left of the query is matched word by word: every word must start a word of the
question, give or take an ending (a crude, language-blind stemmer, :func:`same_stem`). In
languages written without spaces between words (Chinese, Japanese, Thai) a word
matches anywhere in the text instead.

Case, accents and compatibility forms don't matter (see :func:`normalize`). A question
matches when every term of the query does; results keep the FAQ's order.
The browser's search box asks the server (``/<lang>/faq/search.json``), so these rules
live only here.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

UNSPACED = {"zh-Hans", "ja", "th"}  # written without spaces between words
# Letters, digits and the combining marks Python's \w leaves out (Indic vowel signs,
# Hebrew points, Arabic harakat), so that "पिन" stays one word.
WORD_CHAR = (
    r"[\w\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0e7f]"
)
WORD = re.compile(f"{WORD_CHAR}+")
GROUP_MARK = "\ue000"  # private-use: cannot occur in typed text once normalized


@dataclass(frozen=True)
class Rules:
    """One locale's search rules: phrase -> group name, stop words, how words split."""

    groups: dict
    stop: frozenset
    unspaced: bool

    def pattern(self):
        return _pattern(tuple(sorted(self.groups, key=len, reverse=True)), self.unspaced)


@cache
def _pattern(phrases, unspaced):
    """Any of the phrases; in spaced languages only at a word's start, taking the whole word."""
    alternatives = "|".join(re.escape(phrase) for phrase in phrases) or "(?!)"
    if unspaced:
        return re.compile(f"(?:{alternatives})")
    return re.compile(f"(?<!{WORD_CHAR})(?:{alternatives}){WORD_CHAR}*")


def load_rules(folder, lang):
    """The rules in ``folder/search.txt`` (none if the file is missing)."""
    groups, stop = {}, set()
    path = Path(folder) / "search.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, entries = line.partition(":")
        words = [normalize(entry) for entry in entries.split(",") if entry.strip()]
        if name.strip() == "stop":
            stop.update(words)
        else:
            groups.update((word, name.strip()) for word in words)
    return Rules(groups, frozenset(stop), lang in UNSPACED)


# Letters people type interchangeably: Arabic and Persian yeh and kaf, curly apostrophes.
SAME_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "’": "'", "ـ": None})


def normalize(text):
    """Case, compatibility forms and accents folded ("Número" reads as "numero").

    Only the combining accents of Latin, Greek and Cyrillic letters are dropped, so
    Indic vowel signs and Hebrew or Arabic points stay.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(SAME_LETTERS)
    bare = "".join(
        char for char in unicodedata.normalize("NFD", folded) if not "\u0300" <= char <= "\u036f"
    )
    return " ".join(unicodedata.normalize("NFC", bare).split())


@dataclass(frozen=True)
class Terms:
    groups: frozenset  # group names found
    words: tuple  # the remaining words, in order
    text: str  # the remaining text, for languages without spaces


def terms(text, rules):
    """What ``text`` says, as group names and the leftover words."""
    found = set()

    def mark(match):
        phrase = match.group(0)
        for length in range(len(phrase), 0, -1):  # the entry this match began with
            if phrase[:length] in rules.groups:
                found.add(rules.groups[phrase[:length]])
                break
        return f" {GROUP_MARK} "

    rest = rules.pattern().sub(mark, normalize(text))
    words = tuple(word for word in WORD.findall(rest))
    return Terms(frozenset(found), words, rest)


def query_terms(query, rules):
    """The query's terms, without stop words and single characters."""
    found = terms(query, rules)
    words = tuple(word for word in found.words if word not in rules.stop and len(word) > 1)
    return Terms(found.groups, words, found.text)


def matches(question, query, rules):
    """Whether a question's :class:`Terms` holds every term of the query's.

    In languages without spaces the leftover text of a query that named a group is
    left out (without a dictionary it can't be cut into words: "を忘れました" leaves
    "を" and "ました"); a query that named no group must appear in the text as typed.
    """
    if not query.groups <= question.groups:
        return False
    if rules.unspaced:
        return bool(query.groups) or all(word in question.text for word in query.words)
    return all(any(same_stem(term, word) for word in question.words) for term in query.words)


def same_stem(term, word):
    """Whether ``word`` starts like ``term``, allowing ``term`` three letters of ending
    when it is long enough ("numbers" finds "number", "withdrawing" finds "withdraw")."""
    needed = min(len(term), max(4, len(term) - 3))
    return word[:needed] == term[:needed] and len(word) >= needed
