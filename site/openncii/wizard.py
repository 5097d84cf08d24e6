"""The words the case-creation wizard's JavaScript shows, in the visitor's language.

Hashing has to happen in the page, so the wizard is driven by JavaScript
(``static/js/wizard/``); it holds no text of its own. The page renders :func:`messages`
into ``<script type="application/json" id="wizard-messages">``.

A counted phrase comes as every plural form of the locale's catalog, in the catalog's
order (``["{count} file", "{count} files"]``), and ``pluralRule`` says which form each
number takes, by the catalog's own ``Plural-Forms`` rule: ``pluralRule[n]`` for n under
:data:`PLURAL_TABLE_SIZE`, else ``pluralRule[100 + n % 100]`` (gettext rules look at n,
n % 10 and n % 100 only). The script never guesses a form from another rule.
"""

from flask_babel import get_translations, ngettext
from flask_babel import gettext as _

from . import policy

COUNT_PLACEHOLDER = "{count}"
PLURAL_TABLE_SIZE = 200


def plural_rule():
    """The index of the plural form for each number under PLURAL_TABLE_SIZE."""
    choose = getattr(get_translations(), "plural", None) or (lambda n: int(n != 1))
    return [choose(n) for n in range(PLURAL_TABLE_SIZE)]


def plural_forms(rule, singular, plural, **variables):
    """Every plural form of a counted phrase, in the catalog's order.

    ``singular`` and ``plural`` use ``%(count)s`` for the number, which stays in the
    text as ``{count}`` for the script to fill in.
    """
    return [
        ngettext(singular, plural, rule.index(form), count=COUNT_PLACEHOLDER, **variables)
        for form in range(max(rule) + 1)
    ]


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


def messages(max_files):
    """Everything the wizard script may say, in the current locale."""
    rule = plural_rule()
    return {
        "pluralRule": rule,
        "errorPrefix": _("Error:"),
        "hashing": _("Making the fingerprint…"),
        "ready": _("Ready"),
        "readyVideo": plural_forms(
            rule,
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
            rule,
            "%(count)s of %(max)s file chosen",
            "%(count)s of %(max)s files chosen",
            max=max_files,
        ),
        "refused": plural_forms(
            rule,
            "You can add up to %(max)s files to one case. %(count)s file was not added:",
            "You can add up to %(max)s files to one case. %(count)s files were not added:",
            max=max_files,
        ),
        "hashingStarted": plural_forms(
            rule,
            "Making the fingerprint of %(count)s file on this device.",
            "Making the fingerprints of %(count)s files on this device.",
        ),
        "filesReady": plural_forms(rule, "%(count)s file is ready.", "%(count)s files are ready."),
        "filesFailed": plural_forms(
            rule, "%(count)s file can't be used.", "%(count)s files can't be used."
        ),
        "removed": _("File removed."),
        "pictures": plural_forms(rule, "%(count)s picture", "%(count)s pictures"),
        "videos": plural_forms(rule, "%(count)s video", "%(count)s videos"),
        "fingerprints": plural_forms(rule, "%(count)s fingerprint", "%(count)s fingerprints"),
        "videoHashes": plural_forms(
            rule,
            "1 fingerprint of the file and %(count)s of its frames",
            "1 fingerprint of the file and %(count)s of its frames",
        ),
        "videoFileOnly": _("1 fingerprint of the file"),
        "notSent": _("Not sent: these files can't be used"),
        "progress": plural_forms(
            rule,
            "Making fingerprints: %(done)s of %(count)s file ready",
            "Making fingerprints: %(done)s of %(count)s files ready",
            done="{done}",
        ),
        "noFiles": _("Choose at least one picture or video that can be used."),
        "stillHashing": _(
            "Wait until every file is ready, or remove the ones still being prepared."
        ),
        "consentMissing": _(
            "Tick all four boxes to confirm the statements. If one of them "
            "is not true, this service cannot be used for these files."
        ),
        "pinMissing": _("Choose a PIN."),
        "pinShort": ngettext(
            "Your PIN must be at least %(num)d character long.",
            "Your PIN must be at least %(num)d characters long.",
            policy.PIN_MIN,
        ),
        "pinMismatch": _("The two PINs are not the same. Type the same PIN in both boxes."),
        "strength": {
            "short": ngettext(
                "Too short: use at least %(num)d character.",
                "Too short: use at least %(num)d characters.",
                policy.PIN_MIN,
            ),
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
