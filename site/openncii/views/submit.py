"""Creating a case: the wizard's pages, its JSON endpoint, and the confirmation page.

Two blueprints, because the JSON endpoint has no ``/<lang>`` prefix:

- ``submit`` (``/<lang>/submit/...``): the wizard (``start``) and the confirmation page.
- ``case_api``: ``POST /api/cases``, which the wizard calls with the hashes and PIN.

Hand-over to the confirmation page: a successful ``POST /api/cases`` answers with the
case number *and* starts a one-time server-side ``new_case`` session
(:mod:`openncii.case_sessions`, 30 minutes), whose random token is all the cookie
holds; the wizard then opens ``/<lang>/submit/done``, which finds the case through it.
Ticking "I have saved my case number and PIN" (or the time running out) ends it. The
cookie never holds the case number, the PIN or an e-mail address.
"""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from .. import case_sessions, cases, errors, mail, policy, wizard
from ..forms import Form
from ..i18n import babel_code, best_locale, current_locale, enabled_locales, localize
from ..limits import limiter
from ..models import Case
from ..problems import Invalid
from ..security import no_store

bp = localize(Blueprint("submit", __name__, url_prefix="/<lang>/submit"))
api = Blueprint("case_api", __name__)

CASE_CREATION_LIMIT = "20 per hour"
EMAIL_LIMIT = "5 per hour"


# ----------------------------------------------------------------- the wizard


@bp.get("")
def start():
    """The wizard: one page whose script hashes the files and calls ``POST /api/cases``."""
    max_files = current_app.config["MAX_FILES_PER_CASE"]
    locale = current_locale()
    return render_template(
        "submit/wizard.html",
        max_files=max_files,
        steps=policy.WIZARD_STEPS,
        policy=policy.for_browser(max_files),
        messages=wizard.messages(max_files),
        accept=policy.accept_attribute(),
        image_formats=policy.format_names("picture", babel_code(locale)),
        video_formats=policy.format_names("video", babel_code(locale)),
    )


# ------------------------------------------------------------ POST /api/cases

# What each problem code of openncii.cases says to the person, in their language.
MESSAGES = {
    "body": _l("Send a JSON object with the fields pin, hashes and consent."),
    "consent": _l("Please confirm the consent statements before sending."),
    "pin_type": _l("Choose a PIN."),
    "pin_short": lambda params: ngettext(
        "Your PIN must be at least %(num)d character long.",
        "Your PIN must be at least %(num)d characters long.",
        params["min"],
    ),
    "pin_long": lambda params: ngettext(
        "Your PIN must be at most %(num)d character long.",
        "Your PIN must be at most %(num)d characters long.",
        params["max"],
    ),
    "pin_common": _l("This PIN is too easy to guess. Please choose a less common one."),
    "hashes": _l("Add at least one picture or video."),
    "item": _l("This entry is not a hash."),
    "signal_type": _l("The kind of hash must be one of: %(types)s."),
    "hash_value": lambda params: ngettext(
        "%(type)s hashes must be %(num)d hexadecimal character (0-9, a-f).",
        "%(type)s hashes must be %(num)d hexadecimal characters (0-9, a-f).",
        params["length"],
        type=params["type"],
    ),
    "quality": _l("The quality must be a whole number from 0 to 100, for ImagePDQ hashes only."),
    "frame_of": _l("A video frame must point to a VideoMD5 entry of the same case."),
    "duplicate": _l("This hash is already in the case (entry %(other)d)."),
    "too_many_files": lambda params: ngettext(
        "A case can hold at most %(num)d file.",
        "A case can hold at most %(num)d files.",
        params["max"],
    ),
    "request_key": _l(
        "The Idempotency-Key header must be %(min)d to %(max)d letters, digits, - or _."
    ),
    "key_reused": _l(
        "This Idempotency-Key was already used for a different case. Nothing was stored."
    ),
    "too_many_frames": lambda params: ngettext(
        "A video can have at most %(num)d frame hash.",
        "A video can have at most %(num)d frame hashes.",
        params["max"],
    ),
}


def problem_message(problem):
    """The localized text of a problem; a message with a number gets its plural form."""
    message = MESSAGES[problem.code]
    if callable(message):
        return message(problem.params)
    return message % problem.params if problem.params else str(message)


@api.errorhandler(Invalid)
def refused(invalid):
    """400 (422 for a reused Idempotency-Key) with one localized message per problem."""
    return errors.invalid_answer(
        invalid, problem_message, _("The case was not created. Nothing was stored.")
    )


@api.post("/api/cases")
@limiter.limit(CASE_CREATION_LIMIT)
def create_case():
    """Create a case from hashes; 201 ``{"caseNumber"}`` or 400 with one message per problem.

    Messages follow the body's ``lang`` if it names an enabled locale, else the
    browser's ``Accept-Language``. Nothing is stored unless the whole body is valid.
    An ``Idempotency-Key`` header makes retries safe: the same key and body get the
    same case again (and the same answer); the same key with another body gets a 422.
    """
    body = request.get_json(silent=True)
    lang = body.get("lang") if isinstance(body, dict) else None
    g.lang = lang if lang in enabled_locales() else best_locale()
    key = request.headers.get("Idempotency-Key")
    if problem := cases.request_key_problem(key):
        raise Invalid([problem])
    pin, hashes = cases.validate_submission(body, current_app.config["MAX_FILES_PER_CASE"])
    number = cases.create_case(pin, hashes, current_app.config["BCRYPT_ROUNDS"], request_key=key)
    case_sessions.end(session.get("new_case"))
    case_id = Case.select(Case.id).where(Case.number == number).scalar()
    session["new_case"] = case_sessions.start(case_id, "new_case")
    return jsonify(caseNumber=cases.format_case_number(number)), 201


# ------------------------------------------------------- the confirmation page


class SavedForm(Form):
    saved = BooleanField(
        _l("I have saved my case number and PIN"),
        validators=[
            InputRequired(message=_l("Tick the box once you have saved your case number and PIN."))
        ],
    )


def valid_address(form, field):
    if not mail.is_address(field.data or ""):
        raise ValidationError(_l("Enter an e-mail address like name@example.org."))


class EmailForm(Form):
    address = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")), valid_address],
    )


def new_case():
    """The hand-over of the case just created in this browser, while it may be shown."""
    found, _expired = case_sessions.find(session.get("new_case"), "new_case")
    if found is None:
        session.pop("new_case", None)
    return found


def mail_enabled():
    return bool(current_app.config["SMTP_URL"])


@bp.route("/done", methods=["GET", "POST"])
def done():
    """Show the new case number; POST ``saved`` to finish, which ends the hand-over."""
    handover = new_case()
    form = SavedForm()
    if handover and form.validate_on_submit():
        case_sessions.end(session.pop("new_case", None))
        flash(_("Your case is ready. You can check it here at any time with its number and PIN."))
        return redirect(url_for("status.lookup"))
    return render_done(handover, form, EmailForm(formdata=None))


@bp.post("/done/email")
@limiter.limit(EMAIL_LIMIT)
def email():
    """Send the case number to an address typed just now; the address is then forgotten."""
    handover = new_case()
    form = EmailForm()
    if not (handover and mail_enabled()) or handover.emailed:
        return redirect(url_for("submit.done"))
    if not form.validate_on_submit():
        return render_done(handover, SavedForm(formdata=None), form), 400
    if not case_sessions.mark_emailed(handover):  # another request is sending it
        return redirect(url_for("submit.done"))
    config = current_app.config
    try:
        mail.send_case_number(
            config["SMTP_URL"],
            config["MAIL_FROM"],
            form.address.data,
            case_sessions.number_of(handover),
            config["ORG_NAME"],
        )
    except mail.MailError:
        handover.emailed = False
        handover.save()
        form.address.errors.append(
            _("We could not send the message just now. Please write your case number down instead.")
        )
        return render_done(handover, SavedForm(formdata=None), form), 503
    flash(_("We sent the case number. We have not kept the e-mail address."))
    return redirect(url_for("submit.done"))


def render_done(handover, saved_form, email_form):
    number = handover and case_sessions.number_of(handover)
    response = current_app.make_response(
        render_template(
            "submit/done.html",
            number=number and cases.format_case_number(number),
            saved_form=saved_form,
            email_form=email_form,
            show_email=bool(handover and mail_enabled() and not handover.emailed),
            minutes=case_sessions.NEW_CASE_SECONDS // 60,
            no_restore=True,
        )
    )
    return no_store(response)
