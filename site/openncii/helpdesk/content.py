"""Locale-specific content loaded once per process: the FAQ with operator facts filled in."""

from babel.lists import format_list
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import policy
from ..i18n import babel_code
from . import faq, faqsearch


def operator_facts(lang):
    """Values for the ``{token}``s of the FAQ, in ``lang``."""
    config = current_app.config
    code = babel_code(lang)
    with force_locale(code):
        partners = (
            format_list(config["PARTNER_PLATFORMS"], locale=code)
            if config["PARTNER_PLATFORMS"]
            else _("no platforms have joined yet; this list grows as they do")
        )
    return {
        "org_name": config["ORG_NAME"],
        "contact_email": config["CONTACT_EMAIL"],
        "partner_list": partners,
        "under18_name": config["UNDER18_NAME"],
        "under18_url": config["UNDER18_URL"],
        "max_files": str(config["MAX_FILES_PER_CASE"]),
        "retention_days": str(config["WITHDRAWN_RETENTION_DAYS"]),
        "picture_formats": policy.format_names("picture", code),
        "video_formats": policy.format_names("video", code),
    }


def operator_conditions():
    """What the FAQ's ``{if …}`` blocks test: facts of this installation."""
    config = current_app.config
    return {
        "mail": bool(config["SMTP_URL"]),  # the case number can be e-mailed
        "government": config["GOVERNMENT_SERVICE"],
    }


def faq_topics(lang):
    """The rendered FAQ of ``lang``, parsed on first use and then cached."""
    return _faq(lang)[0]


def search_rules(lang):
    """The FAQ search's synonyms and stop words for ``lang`` (``search.txt``)."""
    return _faq(lang)[1]


def _faq(lang):
    cache = current_app.extensions.setdefault("openncii_faq", {})
    if lang not in cache:
        folder = current_app.config["CONTENT_DIR"] / "faq" / lang
        rules = faqsearch.load_rules(folder, lang)
        topics = faq.load_faq(folder, operator_facts(lang), operator_conditions(), rules)
        cache[lang] = topics, rules
    return cache[lang]
