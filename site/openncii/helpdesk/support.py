"""The support directory: one TOML file per organisation under ``content/support/``.

Every file is validated when the directory is loaded (at start-up), so a typo in a
phone number field or a country code stops the site with a message naming the file
and the field, instead of showing a person in crisis a broken entry.
"""

import datetime
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from flask_babel import lazy_gettext as _l

WORLDWIDE = "001"  # UN M.49 code for "World": the service helps people anywhere

SERVICE_LABELS = {
    "counselling": _l("Counselling and emotional support"),
    "legal": _l("Legal advice"),
    "reporting": _l("Reporting abuse"),
    "removal": _l("Getting images taken down"),
    "helpline": _l("Phone or chat helpline"),
    "under18": _l("Help for under-18s"),
}

REQUIRED_FIELDS = ("name", "countries", "languages", "services", "website", "source", "checked")
OPTIONAL_FIELDS = ("phone", "email", "hours", "description")

# Two-letter codes Babel knows that are not countries or territories.
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
_ENGLISH = Locale("en")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DirectoryError(ValueError):
    """A support directory file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Organisation:
    slug: str
    name: str
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    services: tuple[str, ...]
    website: str
    source: str
    checked: datetime.date
    phone: str | None = None
    email: str | None = None
    hours: str | None = None
    description: str | None = None

    @property
    def worldwide(self):
        return WORLDWIDE in self.countries

    @property
    def tel_uri(self):
        """``tel:`` link for the phone number (spaces, dashes and brackets dropped)."""
        if not self.phone:
            return None
        return "tel:" + re.sub(r"[ ()-]", "", self.phone)

    def serves(self, country):
        return self.worldwide or country in self.countries


def load_directory(folder):
    """Load and validate every ``*.toml`` file in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DirectoryError(f"{folder}: support directory folder not found")
    organisations = [_load_file(path) for path in sorted(folder.glob("*.toml"))]
    _check_unique_names(organisations, folder)
    return sorted(organisations, key=lambda org: org.name.casefold())


def filter_organisations(organisations, country=None, language=None, service=None):
    """Organisations matching every given filter; country-specific ones first, then by name.

    A worldwide organisation (country ``001``) matches every country.
    """
    country = country.upper() if country else None
    language = language.lower() if language else None
    matches = [
        org
        for org in organisations
        if (not country or org.serves(country))
        and (not language or language in org.languages)
        and (not service or service in org.services)
    ]
    return sorted(matches, key=lambda org: (org.worldwide, org.name.casefold()))


def countries_present(organisations):
    """Country codes served by at least one organisation (``001`` excluded: it matches all)."""
    return sorted({code for org in organisations for code in org.countries} - {WORLDWIDE})


def languages_present(organisations):
    return sorted({code for org in organisations for code in org.languages})


def country_options(organisations, locale):
    """``(code, localized name)`` pairs for a country dropdown, sorted by name.

    ``locale`` is a Babel ``Locale`` or a code ("es", "pt_BR" or "pt-BR").
    """
    names = _babel_locale(locale).territories
    return _named_options(countries_present(organisations), names)


def language_options(organisations, locale):
    """``(code, localized name)`` pairs for a language dropdown, sorted by name."""
    names = _babel_locale(locale).languages
    return _named_options(languages_present(organisations), names)


def _babel_locale(locale):
    return Locale.parse(locale.replace("-", "_") if isinstance(locale, str) else locale)


def _named_options(codes, names):
    """Pair codes with names (first letter capitalised: "Alemán"), in alphabetical order."""
    options = [(code, _capitalise(names.get(code, code))) for code in codes]
    return sorted(options, key=lambda option: _sort_key(option[1]))


def _capitalise(name):
    return name[:1].upper() + name[1:]


def _sort_key(name):
    """Accent-insensitive sort key, so "Árabe" sorts next to "Alemán"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _load_file(path):
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DirectoryError(f"{path}: not valid TOML ({exc})") from exc
    if not _SLUG.match(path.stem):
        raise DirectoryError(
            f"{path}: file name must be lower-case letters, digits and dashes (it is the entry's id)"
        )
    unknown = sorted(set(data) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise DirectoryError(f"{path}: unknown field '{unknown[0]}'")
    for field in REQUIRED_FIELDS:
        if field not in data:
            raise DirectoryError(f"{path}: missing required field '{field}'")
    values = {field: _check_field(path, field, value) for field, value in data.items()}
    return Organisation(slug=path.stem, **values)


def _check_field(path, field, value):
    """Return the validated value of ``field``, or raise naming the file and field."""
    problem = _FIELD_CHECKS[field](value)
    if problem:
        raise DirectoryError(f"{path}: field '{field}': {problem}")
    return tuple(value) if isinstance(value, list) else value


def _text(value):
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    return None


def _https_url(value):
    if not isinstance(value, str):
        return "must be a string"
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return f"must be an https:// address, got {value!r}"
    return None


def _code_list(is_valid, kind):
    def check(value):
        if not isinstance(value, list) or not value:
            return f"must be a non-empty list of {kind}"
        if len(set(value)) != len(value):
            return "lists the same code twice"
        for code in value:
            if not isinstance(code, str) or not is_valid(code):
                return f"{code!r} is not valid: expected {kind}"
        return None

    return check


def is_country(code):
    """Whether ``code`` is a country code the directory accepts ("001" included)."""
    if code == WORLDWIDE:
        return True
    return (
        len(code) == 2
        and code.isalpha()
        and code.isupper()
        and code in _ENGLISH.territories
        and code not in _NOT_COUNTRIES
    )


def _is_language(code):
    return len(code) == 2 and code.isalpha() and code.islower() and code in _ENGLISH.languages


def _date(value):
    # TOML dates load as datetime.date; a date-time (a datetime subclass) is not wanted here.
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return "must be a TOML date such as 2026-11-25 (no quotes, no time)"
    return None


def _pattern(regex, example):
    def check(value):
        if not isinstance(value, str) or not regex.match(value):
            return f"must look like {example}, got {value!r}"
        return None

    return check


_FIELD_CHECKS = {
    "name": _text,
    "countries": _code_list(
        is_country, 'ISO 3166-1 alpha-2 country codes in upper case (or "001" for worldwide)'
    ),
    "languages": _code_list(_is_language, "ISO 639-1 language codes in lower case"),
    "services": _code_list(
        SERVICE_LABELS.__contains__, "services from: " + ", ".join(SERVICE_LABELS)
    ),
    "website": _https_url,
    "source": _https_url,
    "checked": _date,
    "phone": _pattern(_PHONE, "+44 345 600 0459 (digits, spaces, dashes, brackets)"),
    "email": _pattern(_EMAIL, "help@example.org"),
    "hours": _text,
    "description": _text,
}


def _check_unique_names(organisations, folder):
    seen = {}
    for org in organisations:
        key = org.name.casefold()
        if key in seen:
            raise DirectoryError(
                f"{folder / (org.slug + '.toml')}: field 'name': {org.name!r} is already used by "
                f"{seen[key]}.toml"
            )
        seen[key] = org.slug
