"""Checking and withdrawing a case with its number and PIN; works without JavaScript.

``/<lang>/status`` shows the sign-in form, or the case once signed in. Signing in
starts a server-side session (:mod:`openncii.case_sessions`); the cookie holds only its
random token, never the case number. The session ends 15 minutes after sign-in, or at
once on sign-out, quick exit or withdrawal. Withdrawing asks for the PIN again.
Every answer here is ``Cache-Control: no-store``, so no case page can come back from
the browser's cache or history.
"""

import time
from datetime import UTC, datetime, timedelta

from babel.dates import format_date, format_time, get_datetime_format
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import validate_csrf
from markupsafe import Markup
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, ValidationError

from .. import case_sessions, cases, csrf, retention
from ..forms import Form
from ..i18n import left_to_right, localize
from ..limits import client_key, limiter
from ..security import no_store

bp = localize(Blueprint("status", __name__, url_prefix="/<lang>/status"))
bp.after_request(no_store)

LOOKUP_LIMIT = "10 per minute;50 per hour"

STATES = {
    "received": (
        _l("Received"),
        _l("We have this fingerprint. No partner platform has collected it yet."),
    ),
    "shared": (
        _l("Shared with partners"),
        _l("Partner platforms have this fingerprint and check new uploads against it."),
    ),
    "under_review": (
        _l("Match found, under review"),
        _l("A platform found a matching picture or video and is reviewing it."),
    ),
    "blocked": (
        _l("Blocked"),
        _l("A platform reviewed a match and removed it or stopped it being shared."),
    ),
    "not_removed": (
        _l("Reviewed, not removed"),
        _l("A platform reviewed a match and decided it did not break its rules."),
    ),
}


def valid_case_number(form, field):
    if cases.parse_case_number(field.data or "") is None:
        raise ValidationError(
            _l(
                "Check your case number. It has 16 letters and numbers, like %(example)s. "
                "One of them may be mistyped.",
                example=left_to_right(cases.EXAMPLE_CASE_NUMBER),
            )
        )


class LookupForm(Form):
    case_number = StringField(
        _l("Case number"),
        validators=[DataRequired(message=_l("Enter your case number.")), valid_case_number],
    )
    pin = PasswordField(_l("PIN"), validators=[DataRequired(message=_l("Enter your PIN."))])


class WithdrawForm(Form):
    """Withdrawal needs the PIN typed again and the box really ticked (not just sent)."""

    pin = PasswordField(_l("PIN"), validators=[DataRequired(message=_l("Enter your PIN."))])
    confirm = BooleanField(
        _l("I understand, withdraw my case"),
        validators=[
            DataRequired(message=_l("Tick the box to confirm that you want to withdraw your case."))
        ],
    )


@bp.context_processor
def never_restored():
    """Pages that reload rather than come back from the back/forward cache (quick-exit.js)."""
    return {"no_restore": True}


def duration(seconds):
    """A wait in the person's language, in whole minutes rounded up ("3 minutes")."""
    minutes = max(1, -(-seconds // 60))
    return format_timedelta(timedelta(minutes=minutes), threshold=1)


def wait_message(seconds):
    """Say how long signing in with this number is paused for."""
    return _(
        "For your safety, signing in with this case number is paused for a while after "
        "several wrong tries. Please try again in %(wait)s.",
        wait=duration(seconds),
    )


def throttle_message(seconds):
    """Say how long this visitor must wait after too many requests."""
    return _(
        "There were too many tries from here in a short time. Please try again in %(wait)s.",
        wait=duration(seconds),
    )


def signed_in_case():
    """The id of the case this browser is signed in to, while its session lasts."""
    found, expired = case_sessions.find(session.get("case"), "signed_in")
    if found:
        return found.case_id
    if session.pop("case", None) and expired:
        flash(
            _(
                "For your safety, you were signed out after 15 minutes. "
                "Enter your case number and PIN again to continue."
            )
        )
    return None


@bp.route("", methods=["GET", "POST"])
@limiter.limit(LOOKUP_LIMIT, methods=["POST"])
def lookup():
    """The sign-in form, or the case page when signed in."""
    case_id = signed_in_case()
    if case_id and request.method == "GET":
        return render_case(case_id)
    form = LookupForm()
    refused = None
    if form.validate_on_submit():
        number = cases.parse_case_number(form.case_number.data)
        answer = cases.sign_in(
            number, form.pin.data, client_key(), current_app.config["BCRYPT_ROUNDS"]
        )
        if answer.case:
            case_sessions.end(session.get("case"))
            session["case"] = case_sessions.start(answer.case.id, "signed_in")
            return redirect(url_for("status.lookup"))
        refused = answer
    return render_lookup(form, refused=refused)


def render_lookup(form, refused=None, throttled=None):
    """The sign-in form, as typed; with why it was refused and what to do now."""
    problems = []
    if refused:
        problems.append(
            _("We could not open a case with this case number and PIN. Check both and try again.")
        )
        if refused.wait:
            problems.append(wait_message(refused.wait))
    if throttled:
        problems.append(throttle_message(throttled))
    if problems and "pages.faq_page" in current_app.view_functions:
        problems.append(
            Markup('<a href="{}#lost-pin">{}</a>').format(
                url_for("pages.faq_page"), _("What to do if you lost your PIN")
            )
        )
    status = 429 if throttled else 400 if request.method == "POST" else 200
    return render_template(
        "status/lookup.html",
        form=form,
        problems=problems,
        example_case_number=cases.EXAMPLE_CASE_NUMBER,
    ), status


@bp.errorhandler(429)
def throttled(error):
    """Too many sign-ins from here: the same form, still filled in, and how long to wait."""
    limit = limiter.current_limit
    wait = int(limit.reset_at - time.time()) if limit else 60
    if request.endpoint == "status.lookup":
        form = LookupForm()
        form.pin.data = ""
        return render_lookup(form, throttled=wait)
    return render_template("error.html", code=429, message=throttle_message(wait)), 429


def render_case(case_id):
    status = cases.case_status(case_id)
    if status is None:  # withdrawn (erased) since this browser signed in
        session.pop("case", None)
        return redirect(url_for("status.lookup"))
    return render_template(
        "status/case.html",
        case=status,
        number=cases.format_case_number(status.number),
        summary=summary(status),
        states=STATES,
        when=when,
        show_names=current_app.config["SHOW_PARTNER_NAMES"],
        retention_days=current_app.config["WITHDRAWN_RETENTION_DAYS"],
    )


def summary(status):
    """The case in one plain sentence: "2 pictures and 1 video — no matches yet"."""
    pictures, videos = status.count("picture"), status.count("video")
    parts = []
    if pictures:
        parts.append(ngettext("%(num)d picture", "%(num)d pictures", pictures))
    if videos:
        parts.append(ngettext("%(num)d video", "%(num)d videos", videos))
    files = (
        _("%(pictures)s and %(videos)s", pictures=parts[0], videos=parts[1])
        if len(parts) == 2
        else parts[0]
    )
    if not status.matches:
        return _("%(files)s — no matches yet", files=files)
    return ngettext(
        "%(files)s — %(num)d match found",
        "%(files)s — %(num)d matches found",
        status.matches,
        files=files,
    )


def when(timestamp):
    """A unix time as the person's locale writes a date and time, to the minute (UTC)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    locale = get_locale()
    pattern = get_datetime_format("long", locale=locale).replace("'", "")
    return (
        pattern.replace("{1}", format_date(moment, "long", locale=locale)).replace(
            "{0}", format_time(moment, "short", locale=locale)
        )
        + " "
        + format_time(moment, "z", locale=locale)
    )


@bp.post("/withdraw")
def withdraw():
    """First POST (from the case page) asks for the PIN and confirmation; the second withdraws."""
    case_id = signed_in_case()
    if not case_id:
        return redirect(url_for("status.lookup"))
    if request.form.get("step") != "confirm":
        return render_template("status/withdraw.html", form=WithdrawForm(formdata=None))
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_template("status/withdraw.html", form=form), 400
    answer = cases.check_pin(
        case_id, form.pin.data, client_key(), current_app.config["BCRYPT_ROUNDS"]
    )
    if answer.case is None or answer.case.id != case_id:
        form.pin.errors.append(_("This PIN is not right. Nothing was withdrawn."))
        if answer.wait:
            form.pin.errors.append(wait_message(answer.wait))
        return render_template("status/withdraw.html", form=form), 400
    cases.withdraw(case_id)
    case_sessions.end_all(case_id)
    session.pop("case", None)
    retention.purge_due(current_app.config["WITHDRAWN_RETENTION_DAYS"])
    flash(
        _(
            "Your case is withdrawn. Its number and PIN are deleted, and partner platforms are "
            "told to delete its fingerprints when they next collect updates."
        )
    )
    return redirect(url_for("status.lookup"))


@bp.post("/sign-out")
@csrf.exempt
def sign_out():
    """End the case session and any hand-over of a new case number.

    Also the quick exit's request, sent as the page is left.

    Exempt from the CSRF token because the quick exit sends it with no form to fill
    (``fetch`` with ``keepalive``); a form post carries the token and is checked. A
    request from another site is refused: signing out is harmless, but is ours to do.
    """
    if not (same_origin_request() or csrf_token_is_valid()):
        abort(403)
    for purpose in ("case", "new_case"):  # signed in, and a new case number still shown
        case_sessions.end(session.pop(purpose, None))
    if request.form.get("quick"):
        return "", 204
    flash(_("You have signed out of your case."))
    return redirect(url_for("status.lookup"))


def same_origin_request():
    """Whether the browser says this request comes from one of our own pages."""
    if request.headers.get("Sec-Fetch-Site") is not None:
        return request.headers["Sec-Fetch-Site"] == "same-origin"
    return request.headers.get("Origin") == request.host_url.rstrip("/")


def csrf_token_is_valid():
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True
