"""Checking and withdrawing a case with its number and PIN; works without JavaScript.

``/<lang>/status`` shows the sign-in form, or the case once signed in. Signing in keeps
only the case's id and an expiry time in the signed session cookie: the case session
ends :data:`cases.CASE_SESSION_SECONDS` after sign-in, or on sign-out. Every answer
here is ``Cache-Control: no-store``.
"""

import time
from datetime import UTC, datetime

from babel.dates import format_date, format_time, get_datetime_format
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from .. import cases, retention
from ..i18n import left_to_right, localize
from ..limits import limiter

bp = localize(Blueprint("status", __name__, url_prefix="/<lang>/status"))

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


class LookupForm(FlaskForm):
    case_number = StringField(
        _l("Case number"),
        validators=[DataRequired(message=_l("Enter your case number.")), valid_case_number],
    )
    pin = PasswordField(_l("PIN"), validators=[DataRequired(message=_l("Enter your PIN."))])


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand, withdraw my case"),
        validators=[
            InputRequired(
                message=_l("Tick the box to confirm that you want to withdraw your case.")
            )
        ],
    )


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_in_case():
    """The id of the case this browser signed in to, while its session lasts."""
    signed_in = session.get("case")
    if signed_in and signed_in["until"] > time.time():
        return signed_in["id"]
    if signed_in:
        session.pop("case")
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
    failed = False
    if form.validate_on_submit():
        number = cases.parse_case_number(form.case_number.data)
        case = cases.check_pin(number, form.pin.data, current_app.config["BCRYPT_ROUNDS"])
        if case:
            until = int(time.time()) + cases.CASE_SESSION_SECONDS
            session["case"] = {"id": case.id, "until": until}
            return redirect(url_for("status.lookup"))
        failed = True
    status = 400 if request.method == "POST" else 200
    return render_template(
        "status/lookup.html",
        form=form,
        failed=failed,
        example_case_number=cases.EXAMPLE_CASE_NUMBER,
    ), status


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
    """First POST (from the case page) asks for confirmation; the confirmed POST withdraws."""
    case_id = signed_in_case()
    if not case_id:
        return redirect(url_for("status.lookup"))
    if request.form.get("step") != "confirm":
        return render_template("status/withdraw.html", form=WithdrawForm(formdata=None))
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_template("status/withdraw.html", form=form), 400
    cases.withdraw(case_id)
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
def sign_out():
    session.pop("case", None)
    flash(_("You have signed out of your case."))
    return redirect(url_for("status.lookup"))
