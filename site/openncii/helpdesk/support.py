"""The support directory: one TOML file per organisation under ``content/support/``.

Every file is validated when the directory is loaded (at start-up), so a typo in a
phone number field or a country code stops the site with a message naming the file
and the field, instead of showing a person in crisis a broken entry.

Descriptions and opening hours are written per locale (``[description] en = "…"``);
the organisation's own name is never translated. :func:`check_directory` lists what an
operator should look at again (``flask --app wsgi support check``).
"""

import datetime
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_time
from babel.lists import format_list
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

# Opening times are data (days and times), worded in the reader's language at display.
EVERY_DAY = _l("Every day")
DAY_RANGE = _l("%(first)s to %(last)s")
DAYS_AND_TIMES = _l("%(days)s, %(opens)s–%(closes)s")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

REQUIRED_FIELDS = ("name", "countries", "languages", "services", "website", "source", "checked")
OPTIONAL_FIELDS = ("phone", "email", "hours", "description", "always_open", "audience")
LOCALIZED_FIELDS = ("description",)
# Who a service is for: adults only, anyone, or only people under 18.
AUDIENCES = ("adults", "everyone", "under18")
FALLBACK_LOCALE = "en"
# Slugs are at least this long, so /<lang>/support/<slug> never looks like a country
# code (two letters, or "001") in /<lang>/support/<country>.
MIN_SLUG_LENGTH = 4
RESERVED_SLUGS = {"country"}
STALE_AFTER = datetime.timedelta(days=183)  # about six months

# Two-letter codes Babel knows that are not countries or territories.
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
_ENGLISH = Locale("en")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Digits, spaces, dashes and brackets; a leading "+" or, for short codes such as
# Japan's #8891, a leading "#".
_PHONE = re.compile(r"^[+#]?[0-9][0-9 ()-]*[0-9]$")
_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Z][A-Za-z]+)?$")
_TIME = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")
_DAYS = re.compile(r"^(?:daily|[a-z]{3}-[a-z]{3}|[a-z]{3}(?:,[a-z]{3})*)$")
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
    sources: tuple[str, ...]
    checked: datetime.date
    phone: str | None = None
    email: str | None = None
    hours: tuple["OpeningTimes", ...] = ()
    description: dict[str, str] | None = None
    always_open: bool = False
    audience: str = "adults"

    @property
    def worldwide(self):
        return WORLDWIDE in self.countries

    @property
    def source(self):
        """The first page the details come from (most entries have just one)."""
        return self.sources[0]

    @property
    def serves_adults(self):
        return self.audience != "under18"

    @property
    def under18_only(self):
        return self.audience == "under18"

    @property
    def tel_uri(self):
        """``tel:`` link for the phone number (spaces, dashes and brackets dropped)."""
        if not self.phone:
            return None
        return "tel:" + re.sub(r"[ ()-]", "", self.phone).replace("#", "%23")

    def serves(self, country):
        return self.worldwide or country in self.countries

    def speaks(self, language):
        return language in self.languages

    def opening_times(self, locale):
        return [period.describe(locale) for period in self.hours]

    def localized(self, field, locale):
        """``(text, locale it is in)`` of a per-locale field for a reader of ``locale``.

        Tries the locale ("pt-BR"), its language ("pt"), then English; ``(None, None)``
        when the entry has no such text. The caller marks a fallback with its ``lang``.
        """
        texts = getattr(self, field) or {}
        for candidate in (locale, language_of(locale), FALLBACK_LOCALE):
            if candidate in texts:
                return texts[candidate], candidate
        return None, None


@dataclass(frozen=True)
class OpeningTimes:
    """When a line answers: ``days`` is "daily", a range "mon-fri" or a list "mon,wed";
    ``opens``/``closes`` are "HH:MM" local time, or None when only the days are known."""

    days: str
    opens: datetime.time | None = None
    closes: datetime.time | None = None

    def describe(self, locale):
        """This period in words for ``locale`` ("Monday to Friday, 08:00–20:00")."""
        babel_locale = _babel_locale(locale)
        names = babel_locale.days["stand-alone"]["wide"]
        if self.days == "daily":
            days = str(EVERY_DAY)
        elif "-" in self.days:
            first, last = (WEEKDAYS.index(day) for day in self.days.split("-"))
            days = str(DAY_RANGE) % {"first": names[first], "last": names[last]}
        else:
            days = format_list(
                [names[WEEKDAYS.index(day)] for day in self.days.split(",")], locale=babel_locale
            )
        if self.opens is not None:
            days = str(DAYS_AND_TIMES) % {
                "days": days,
                "opens": format_time(self.opens, "short", locale=babel_locale),
                "closes": format_time(self.closes, "short", locale=babel_locale),
            }
        return _capitalise(days)


def language_of(locale):
    """The ISO 639-1 language of a locale: "pt-BR" → "pt", "zh-Hans" → "zh"."""
    return str(locale).replace("_", "-").split("-")[0].lower()


def load_directory(folder):
    """Load and validate every ``*.toml`` file in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DirectoryError(f"{folder}: support directory folder not found")
    organisations = [_load_file(path) for path in sorted(folder.glob("*.toml"))]
    _check_unique_names(organisations, folder)
    return sorted(organisations, key=lambda org: org.name.casefold())


def find_organisation(organisations, slug):
    return next((org for org in organisations if org.slug == slug), None)


def filter_organisations(
    organisations, country=None, language=None, service=None, reader_language=None
):
    """Organisations matching every given filter, ranked for the reader.

    A worldwide organisation (country ``001``) matches every country. Services that speak
    ``reader_language`` (the page's language) come first, then those serving adults
    (this site is for adults; under-18 services follow), then country-specific before
    worldwide, then by name.
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
    return sorted(matches, key=lambda org: _rank(org, reader_language))


def _rank(org, reader_language):
    speaks_reader = not reader_language or org.speaks(language_of(reader_language))
    return (not speaks_reader, not org.serves_adults, org.worldwide, org.name.casefold())


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
    _check_slug(path)
    unknown = sorted(set(data) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise DirectoryError(f"{path}: unknown field '{unknown[0]}'")
    for field in REQUIRED_FIELDS:
        if field not in data:
            raise DirectoryError(f"{path}: missing required field '{field}'")
    values = {field: _check_field(path, field, value) for field, value in data.items()}
    values["sources"] = values.pop("source")
    values.setdefault("audience", "everyone" if "under18" in values["services"] else "adults")
    if values["audience"] == "under18" and "under18" not in values["services"]:
        raise DirectoryError(
            f"{path}: field 'audience': an under-18 service must list 'under18' in services"
        )
    return Organisation(slug=path.stem, **values)


def _check_slug(path):
    slug = path.stem
    if not _SLUG.match(slug):
        raise DirectoryError(
            f"{path}: file name must be lower-case letters, digits and dashes (it is the entry's id)"
        )
    if len(slug) < MIN_SLUG_LENGTH or slug in RESERVED_SLUGS:
        raise DirectoryError(
            f"{path}: file name must be at least {MIN_SLUG_LENGTH} characters and not "
            f"{', '.join(sorted(RESERVED_SLUGS))}: its page /<lang>/support/<file name> "
            "must never look like a country page"
        )


def _check_field(path, field, value):
    """Return the validated value of ``field``, or raise naming the file and field."""
    problem = _FIELD_CHECKS[field](value)
    if problem:
        raise DirectoryError(f"{path}: field '{field}': {problem}")
    if field in LOCALIZED_FIELDS and isinstance(value, str):
        return {FALLBACK_LOCALE: value}  # a plain string is English
    if field == "hours":
        return tuple(
            OpeningTimes(
                period["days"], *map(_parse_time, (period.get("opens"), period.get("closes")))
            )
            for period in value
        )
    if field == "source" and isinstance(value, str):
        return (value,)
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


def _https_urls(value):
    """One https:// address, or a non-empty list of them (every page a detail came from)."""
    if isinstance(value, list):
        if not value:
            return "must name at least one https:// address"
        return next(filter(None, map(_https_url, value)), None)
    return _https_url(value)


def _localized_text(value):
    """English text, or a table of texts per locale (``en = "…"``, ``pt-BR = "…"``)."""
    if isinstance(value, str):
        return _text(value)
    if not isinstance(value, dict) or FALLBACK_LOCALE not in value:
        return 'must be a string or a table of translations that includes en = "…"'
    for locale, text in value.items():
        if not _LOCALE.match(locale):
            return f"{locale!r} is not a locale such as es, pt-BR or zh-Hans"
        if _text(text):
            return f"the {locale} text must be a non-empty string"
    return None


def _parse_time(text):
    return datetime.time.fromisoformat(text) if text else None


def _opening_times(value):
    """``[[hours]]`` tables: ``days`` ("daily", "mon-fri", "mon,wed"), optional
    ``opens`` and ``closes`` ("08:00"), both or neither."""
    if not isinstance(value, list) or not value:
        return 'must be a list of [[hours]] tables, e.g. days = "mon-fri", opens = "09:00"'
    for period in value:
        if not isinstance(period, dict) or set(period) - {"days", "opens", "closes"}:
            return "each [[hours]] table takes only days, opens and closes"
        days = period.get("days")
        if not isinstance(days, str) or not _DAYS.match(days) or not _known_days(days):
            return f'days must be "daily", a range such as "mon-fri" or a list such as "mon,wed"; got {days!r}'
        times = [period.get("opens"), period.get("closes")]
        if any(times) and not all(isinstance(t, str) and _TIME.match(t) for t in times):
            return 'opens and closes go together, as "HH:MM" (24-hour clock)'
    return None


def _known_days(days):
    return days == "daily" or all(day in WEEKDAYS for day in re.split("[-,]", days))


def _boolean(value):
    return None if isinstance(value, bool) else "must be true or false"


def _one_of(choices):
    def check(value):
        return None if value in choices else f"must be one of: {', '.join(choices)}"

    return check


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
    "source": _https_urls,
    "checked": _date,
    "phone": _pattern(_PHONE, "+44 345 600 0459 (digits, spaces, dashes, brackets)"),
    "email": _pattern(_EMAIL, "help@example.org"),
    "hours": _opening_times,
    "description": _localized_text,
    "always_open": _boolean,
    "audience": _one_of(AUDIENCES),
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


# --- keeping the directory fresh -----------------------------------------------------------


def check_directory(organisations, today, locales):
    """``(slug, problem)`` pairs an operator should look at, entry by entry.

    Details checked more than six months ago, sources that are not on the organisation's
    own site (fine only for an official government page), a phone line with no opening
    hours, and descriptions or hours missing for an enabled locale.
    """
    return [
        (org.slug, problem) for org in organisations for problem in _problems(org, today, locales)
    ]


def _problems(org, today, locales):
    if today - org.checked > STALE_AFTER:
        yield f"details checked on {org.checked.isoformat()}, more than 6 months ago"
    own_site = _site(org.website)
    for source in org.sources:
        if not _same_site(_site(source), own_site):
            yield (
                f"source {source} is not on the organisation's own site ({own_site}); "
                "keep it only if it is an official government page"
            )
    if org.phone and not org.always_open and not org.hours:
        yield "phone number without opening hours (add hours, or always_open = true)"
    if not org.description:
        yield "no description"
    for field in LOCALIZED_FIELDS:
        texts = getattr(org, field)
        missing = [locale for locale in locales if texts and locale not in texts]
        if missing:
            yield f"{field} not translated into: {', '.join(missing)}"


def _site(url):
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _same_site(host, own):
    return host == own or host.endswith("." + own) or own.endswith("." + host)
