"""The partner hash-exchange API under ``/v1``, wire-compatible with StopNCII's.

A thin layer over :mod:`openncii.exchange`: authenticate, rate-limit, parse, answer JSON.

Authentication: the reference client sends a subscription key
(``Ocp-Apim-Subscription-Key``) and a per-endpoint function key (``x-functions-key``).
A partner has one key, and both headers must carry it: a missing or wrong key is a
401, a revoked partner's correct key a 403. Each partner has its own request budget
(``PARTNER_RATE_LIMIT``, 429 with ``Retry-After`` when spent). Bodies are capped by
``MAX_CONTENT_LENGTH`` (413). The contract is ``/v1/openapi.json``
(``openncii/openapi.json``).

A malformed request is a 400 whose ``error`` names the first problem and whose
``errors`` lists them all (:func:`openncii.errors.invalid_answer`), worded from
:data:`MESSAGES`.

Feed pages are the bulk of the traffic (a first sync of 1,000,000 hashes is ~250 MB of
JSON): they are encoded with orjson and sent uncompressed, since gzip in the app would
cost more CPU than reading and encoding the page; a reverse proxy may compress them on
its own core (nginx ``gzip_types application/json``).
"""

import json
import re
from functools import wraps
from pathlib import Path

import orjson
from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from .. import assets, csrf, errors, exchange, matching, partners, retention
from ..db import database
from ..limits import limiter
from ..problems import Invalid, Problem
from ..security import no_store
from ..signals import HASH_LENGTHS

bp = Blueprint("partner_api", __name__, url_prefix="/v1")
bp.after_request(no_store)
csrf.exempt(bp)
MATCHER = "openncii_matcher"

OPENAPI = json.loads((Path(__file__).resolve().parents[1] / "openapi.json").read_text())
DIGITS = re.compile(r"[0-9]{1,16}")

partner_limit = limiter.shared_limit(
    lambda: current_app.config["PARTNER_RATE_LIMIT"],
    scope="partner_api",
    key_func=lambda: f"partner-{g.partner.id}",
)


def authenticated(view):
    """Run ``view`` for a partner whose key both headers carry (``g.partner``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Ocp-Apim-Subscription-Key", "")
        if not key or request.headers.get("x-functions-key") != key:
            abort(401, "Send your API key in both Ocp-Apim-Subscription-Key and x-functions-key.")
        partner = partners.authenticate(key)
        if partner is None:
            abort(401, "This API key is not valid.")
        if not partner.active:
            abort(403, "This partner's access has been revoked.")
        g.partner = partner
        return view(*args, **kwargs)

    return wrapper


# What each problem code says to partners. Plain English, never translated: partners'
# programs read these, and docs/partners.md lists them as part of the contract.
# ``{where}`` is the place in the body or query ("hashRecords[3].hashValue").
ANY_HASH = " or ".join(f"{length} ({kind})" for kind, length in HASH_LENGTHS.items())
MESSAGES = {
    "json": "The body must be JSON.",
    "body": "The body must be a JSON object.",
    "list": "{where} must be a list.",
    "too_many_items": "{where} may hold at most {max} items per request.",
    "count": "{where} must equal the number of items in {items}.",
    "item": "{where} must be a JSON object.",
    "signal_type": "{where} must be one of {types}.",
    "hash_value": lambda params: (
        "{where} must be {length} hex characters for {type}."
        if "length" in params
        else "{where} must be " + ANY_HASH + " hex characters."
    ),
    "feedback_value": "{where} must be one of {values}.",
    "tags": "{where} must be a list of at most {max} strings of 1 to {length} characters.",
    "feedbacks": "{where} must be a list of objects.",
    "timestamp": "{where} must be a unix time in seconds.",
    "max_distance": "{where} must be a whole number from 0 to {max} for {type}.",
    "whole_number": "{where} must be a whole number.",
    "range": "{where} must be between {min} and {max}.",
    "token": "{where} is not a token this server issued.",
}


def problem_message(problem, items):
    """The English text of a problem; ``items`` names the body's list ``index`` counts in."""
    place = f"{items}[{problem.index}]" if problem.index is not None else None
    params = {"where": ".".join(part for part in (place, problem.field) if part), **problem.params}
    message = MESSAGES[problem.code]
    return (message(params) if callable(message) else message).format(**params)


@bp.errorhandler(Invalid)
def refused(invalid):
    return errors.invalid_answer(invalid, lambda problem: problem_message(problem, invalid.items))


def int_arg(name, default):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not DIGITS.fullmatch(raw):
        raise Invalid([Problem("whole_number", field=name)])
    return int(raw)


def json_body():
    """The request body as JSON (any content type); Invalid if it is not JSON."""
    try:
        return json.loads(request.get_data())
    except (ValueError, RecursionError):
        raise Invalid([Problem("json")]) from None


@bp.record_once
def add_matcher(state):
    """Each app (and so each worker process) keeps its own match index."""
    state.app.extensions[MATCHER] = matching.Matcher()


def warm_match_index(app):
    """Build the app's match index now (gunicorn calls this before a worker serves)."""
    with app.app_context(), database.connection_context():
        app.extensions[MATCHER].indexes()


@bp.get("/FetchHashes")
@assets.uncompressed
@authenticated
@partner_limit
def fetch_hashes():
    page = exchange.fetch_page(
        start_timestamp=int_arg("startTimestamp", 0),
        page_size=int_arg("pageSize", 800),
        token=request.args.get("nextPageToken") or None,
        partner=g.partner,
    )
    if not page.has_more:  # a partner caught up: what it now has may be purgeable
        retention.purge_due(current_app.config["WITHDRAWN_RETENTION_DAYS"])
    return Response(orjson.dumps(page.as_json()), mimetype="application/json")


@bp.post("/SubmitFeedback")
@authenticated
@partner_limit
def submit_feedback():
    items = exchange.parse_feedback(json_body())
    count, unknown = exchange.submit_feedback(g.partner, items)
    return jsonify(count=count, unknownHashes=unknown)


@bp.post("/SubmitHashes")
@authenticated
@partner_limit
def submit_hashes():
    items = exchange.parse_hash_records(json_body())
    return jsonify(count=exchange.submit_hashes(g.partner, items))


@bp.post("/MatchHashes")
@authenticated
@partner_limit
def match_hashes():
    queries = exchange.parse_match_queries(json_body())
    results = current_app.extensions[MATCHER].match(g.partner, queries)
    return jsonify(count=len(results), results=results)


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
