"""Error pages: a calm, localized page for people, a JSON body for API clients.

A request refused for what it holds (:class:`openncii.problems.Invalid`) is answered
by :func:`invalid_answer`, the same way in both JSON APIs: ``{"error": ..., "errors":
[{"message", "index"?, "field"?}]}``, each API wording the problem codes for its own
audience.

When the database can't be reached or written (PostgreSQL gone, SQLite's disk full),
every page and API answers 503 with ``Retry-After`` and says that nothing was stored;
nothing is retried behind the visitor's back, and the next request tries again.
"""

from flask import current_app, jsonify, render_template, request
from flask.globals import request_ctx
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from peewee import PeeweeException
from playhouse.pool import MaxConnectionsExceeded
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from . import db
from .security import no_store

RETRY_AFTER_SECONDS = 120


def wants_json():
    return request.path.startswith(("/api/", "/v1/")) or request.is_json


def error_message(error):
    messages = {
        400: _("Something in the request was not right. Please go back and try again."),
        403: _("You do not have access to this page."),
        404: _("We could not find that page. It may have moved, or the address may be mistyped."),
        405: _("That action is not possible on this page."),
        413: _("What was sent is too large."),
        429: _("Too many attempts in a short time. Please wait a little and try again."),
        503: _(
            "We cannot open cases right now. Nothing you chose has been sent. "
            "Please try again in a few minutes."
        ),
    }
    return messages.get(
        error.code, _("Something went wrong on our side. Please try again in a few minutes.")
    )


def handle_http_error(error):
    if wants_json():
        if error.code == 503:
            return jsonify(error=error_message(error)), 503
        return jsonify(
            error=error.description if error.code < 500 else "internal error"
        ), error.code
    if request_ctx.url_adapter is None:  # a Host outside TRUSTED_HOSTS: no link can be built
        return error_message(error), error.code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", code=error.code, message=error_message(error)), error.code


def problem_json(problem, message):
    """One entry of ``errors``: the message, and where the problem is (if anywhere)."""
    found = {"message": message}
    if problem.index is not None:
        found["index"] = problem.index
    if problem.field is not None:
        found["field"] = problem.field
    return found


def invalid_answer(invalid, message, summary=None):
    """The JSON answer to an :class:`~openncii.problems.Invalid` request, with its status.

    ``message(problem)`` words one problem for the API's audience; ``summary`` is the
    ``error`` (by default the first problem's message).
    """
    errors = [problem_json(problem, message(problem)) for problem in invalid.problems]
    return jsonify(error=summary or errors[0]["message"], errors=errors), invalid.status


def handle_unexpected(error):
    """Never show a stack trace: log it (no request details) and answer with a 500."""
    current_app.logger.exception("Unhandled error")
    return handle_http_error(InternalServerError())


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply to parse is bad JSON (a 400), not a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def handle_database_error(error):
    """The database is out of reach: a 503 that says to come back, not a 500."""
    if not db.is_unavailable(error):
        return handle_unexpected(error)
    current_app.logger.warning("Database unavailable: %s", error)
    response = current_app.make_response(handle_http_error(ServiceUnavailable()))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return no_store(response)


def init_app(app):
    app.json = JSONProvider(app)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(PeeweeException, handle_database_error)
    app.register_error_handler(MaxConnectionsExceeded, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
