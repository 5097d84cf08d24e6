"""Locale-specific content loaded once per process: the FAQ with operator facts filled in."""

from babel.lists import format_list
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import policy
from ..i18n import babel_code
from . import faq


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
        "picture_formats": policy.format_names("picture", code),
        "video_formats": policy.format_names("video", code),
    }


def faq_topics(lang):
    """The rendered FAQ of ``lang``, parsed on first use and then cached."""
    cache = current_app.extensions.setdefault("openncii_faq", {})
    if lang not in cache:
        folder = current_app.config["CONTENT_DIR"] / "faq" / lang
        cache[lang] = faq.load_faq(folder, operator_facts(lang))
    return cache[lang]
