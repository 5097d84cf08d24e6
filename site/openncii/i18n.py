"""Locale routing: every public URL starts with ``/<lang>/``.

``lang`` is a BCP 47 tag as used in URLs, ``hreflang`` and content folders (``en``,
``pt-BR``, ``zh-Hans``); Babel and the gettext catalogs use the same locale with an
underscore (``pt_BR``), see :func:`babel_code`.

Blueprints that serve localized pages use ``url_prefix="/<lang>"`` and call
:func:`localize` on themselves; ``lang`` is then taken out of the view arguments into
``g.lang`` and put back automatically by ``url_for``.
"""

from functools import cache

from babel import Locale
from flask import abort, current_app, g, request, url_for
from flask_babel import Babel, get_translations

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}

babel = Babel()


def enabled_locales():
    return current_app.config["LANGUAGES"]


def current_locale():
    return getattr(g, "lang", None) or enabled_locales()[0]


# Babel knows Tagalog as Filipino ("fil"); its catalog lives under that name.
BABEL_CODES = {"tl": "fil"}


def babel_code(lang):
    return BABEL_CODES.get(lang, lang.replace("-", "_"))


def select_locale():
    return babel_code(current_locale())


def best_locale():
    """The enabled locale that best matches the browser's Accept-Language."""
    return request.accept_languages.best_match(enabled_locales()) or enabled_locales()[0]


def text_direction(lang):
    return "rtl" if lang.split("_")[0] in RTL_LANGUAGES else "ltr"


# Babel folds Tagalog into Filipino; people searching for Tagalog should find it.
OWN_NAMES = {"tl": "Tagalog"}


@cache
def locale_name(lang):
    """A locale's name in its own language ("Español", "العربية")."""
    if lang in OWN_NAMES:
        return OWN_NAMES[lang]
    code = babel_code(lang)
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def left_to_right(text):
    """Keep ``text`` (a case number, a hash) left-to-right inside any sentence.

    Unicode's left-to-right isolate, for plain text such as form errors; templates
    use ``<bdi dir="ltr">`` instead.
    """
    return f"\u2066{text}\u2069"


def localize(blueprint):
    """Make ``blueprint`` take its locale from the ``<lang>`` URL prefix."""

    @blueprint.url_value_preprocessor
    def pull_lang(endpoint, values):
        lang = values.pop("lang", None)
        if lang not in enabled_locales():
            abort(404)
        g.lang = lang

    @blueprint.url_defaults
    def add_lang(endpoint, values):
        if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_locale()

    return blueprint


def page_in(lang):
    """URL of the current page in another locale, keeping its query string.

    Localized URLs differ only in their first segment, so this swaps it (pages with
    many locales call this twice per locale: hreflang links and the switcher).
    """
    current = getattr(g, "lang", None)
    path = request.path
    if current is None or not path.startswith(f"/{current}/"):
        return url_for("pages.home", lang=lang)
    query = request.query_string.decode() if request.method == "GET" else ""
    url = f"{request.script_root}/{lang}{path[len(current) + 1 :]}"
    return f"{url}?{query}" if query else url


def translations():
    """This request's gettext catalog, looked up once (templates call it dozens of times)."""
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def init_app(app):
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.config["TRANSLATIONS_DIR"]),
    )
    app.jinja_env.install_gettext_callables(
        lambda string: translations().ugettext(string),
        lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
    )

    @app.context_processor
    def locale_context():
        lang = current_locale()
        return {
            "lang": lang,
            "text_dir": text_direction(lang),
            "locales": [(code, locale_name(code)) for code in enabled_locales()],
            "page_in": page_in,
        }
