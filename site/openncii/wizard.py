"""The words the case-creation wizard's JavaScript shows, in the visitor's language.

Hashing has to happen in the page, so the wizard is driven by JavaScript
(``static/js/wizard/``); it holds no text of its own. The page renders :func:`messages`
into ``<script type="application/json" id="wizard-messages">``. A counted phrase comes
as one text per plural category of the locale (``{"one": "{count} file", "other":
"{count} files"}``), which the script picks with ``Intl.PluralRules``.
"""

from babel import Locale
from flask_babel import gettext as _
from flask_babel import ngettext

from .i18n import babel_code

COUNT_PLACEHOLDER = "{count}"
SAMPLE_RANGE = range(1000)

# The formats the hashing library reads, as people know them (not translated).
IMAGE_FORMATS = "JPEG, PNG, GIF, BMP, TIFF, PSD, XCF, TGA, MIFF, ICO, DICOM, XPM, PCX"
VIDEO_FORMATS = "MP4, MOV, QT, AVI, WMV"
ACCEPT = ",".join(
    [
        ".jpeg",
        ".jpg",
        ".png",
        ".gif",
        ".psd",
        ".tif",
        ".tiff",
        ".xcf",
        ".tga",
        ".miff",
        ".ico",
        ".dcm",
        ".xpm",
        ".pcx",
        ".bmp",
        ".mp4",
        ".mov",
        ".avi",
        ".qt",
        ".wmv",
        "image/*",
        "video/*",
    ]
)


def plural_forms(locale, singular, plural, **variables):
    """``{category: text}`` for each CLDR plural category of ``locale``.

    ``singular`` and ``plural`` use ``%(count)s`` for the number, which stays in the
    text as ``{count}`` for the script to fill in.
    """
    rule = Locale.parse(babel_code(locale)).plural_form
    forms = {}
    for category in rule.tags | {"other"}:
        sample = next((n for n in SAMPLE_RANGE if rule(n) == category), None)
        if sample is not None:
            forms[category] = ngettext(
                singular, plural, sample, count=COUNT_PLACEHOLDER, **variables
            )
    return forms


def file_problems():
    """Why a file cannot be used, keyed by the hashing library's error codes."""
    return {
        "unsupported-format": _(
            "This type of file can't be used. Choose a picture or "
            "video in one of the formats listed above."
        ),
        "empty-file": _("This file is empty, so there is nothing to make a fingerprint of."),
        "corrupt-file": _(
            "This file seems to be damaged and can't be opened. If you have "
            "another copy of it, try that one."
        ),
        "too-small": _("This picture is too small to make a reliable fingerprint."),
        "hashing-failed": _(
            "Something went wrong while making this file's fingerprint. Remove it and add it again."
        ),
        "low-quality": _(
            "This picture has too little detail for a reliable fingerprint "
            "(for example, it is mostly one colour). A larger or clearer copy "
            "may work."
        ),
        "duplicate": _("You have already added this file, or an identical copy of it."),
    }


def messages(locale, max_files):
    """Everything the wizard script may say, for ``locale``."""
    return {
        "errorPrefix": _("Error:"),
        "hashing": _("Making the fingerprint…"),
        "ready": _("Ready"),
        "readyVideo": plural_forms(
            locale,
            "Ready: the video's fingerprint and %(count)s from its frames",
            "Ready: the video's fingerprint and %(count)s from its frames",
        ),
        "framesUnavailable": _(
            "Ready: the video's fingerprint. This browser can't play "
            "this video, so no frames could be used: adding a few "
            "screenshots of it will help."
        ),
        "problems": file_problems(),
        "picture": _("Picture"),
        "video": _("Video"),
        "chosen": plural_forms(
            locale,
            "%(count)s of %(max)s file chosen",
            "%(count)s of %(max)s files chosen",
            max=max_files,
        ),
        "refused": plural_forms(
            locale,
            "You can add up to %(max)s files to one case. %(count)s file was not added:",
            "You can add up to %(max)s files to one case. %(count)s files were not added:",
            max=max_files,
        ),
        "hashingStarted": plural_forms(
            locale,
            "Making the fingerprint of %(count)s file on this device.",
            "Making the fingerprints of %(count)s files on this device.",
        ),
        "filesReady": plural_forms(
            locale, "%(count)s file is ready.", "%(count)s files are ready."
        ),
        "filesFailed": plural_forms(
            locale, "%(count)s file can't be used.", "%(count)s files can't be used."
        ),
        "removed": _("File removed."),
        "pictures": plural_forms(locale, "%(count)s picture", "%(count)s pictures"),
        "videos": plural_forms(locale, "%(count)s video", "%(count)s videos"),
        "fingerprints": plural_forms(locale, "%(count)s fingerprint", "%(count)s fingerprints"),
        "noFiles": _("Choose at least one picture or video that can be used."),
        "stillHashing": _(
            "Wait until every file is ready, or remove the ones still being prepared."
        ),
        "consentMissing": _(
            "Tick all four boxes to confirm the statements. If one of them "
            "is not true, this service cannot be used for these files."
        ),
        "pinMissing": _("Choose a PIN."),
        "pinShort": _("Your PIN must be at least 6 characters long."),
        "pinMismatch": _("The two PINs are not the same. Type the same PIN in both boxes."),
        "strength": {
            "short": _("Too short: use at least 6 characters."),
            "weak": _("Easy to guess: avoid repeated or common PINs like 123456."),
            "fair": _("Fair: a longer PIN, or one mixing letters and numbers, is safer."),
            "strong": _("Strong."),
        },
        "sending": _("Sending the fingerprints…"),
        "serverError": _(
            "Your case could not be created because of a problem on our side. "
            "Nothing was lost: your files and fingerprints are still here. "
            "Please try again in a moment."
        ),
        "networkError": _(
            "The connection failed before your case was confirmed. Your files and "
            "fingerprints are still here. Check your connection and press “Try again”: "
            "if your case was already made, you will get that same case, not a second one."
        ),
        "unavailableError": _(
            "We cannot open cases right now, and nothing was stored. Your files and "
            "fingerprints are still here. Please try again in a few minutes."
        ),
        "tryAgain": _("Try again"),
        "busyError": _(
            "Your case could not be created because many cases were sent from "
            "this connection recently. Nothing was lost: your files and fingerprints "
            "are still here. Please try again later."
        ),
    }
