"""Response headers and log hygiene that every page gets.

No page may load anything from another origin, be framed, or leak where the visitor
came from; and no log line may carry a visitor's IP address.
"""

import logging
import re

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "worker-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "style-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), browsing-topics=()",
}


# Pages can hold a case's details; never keep them in shared caches.
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "private, no-cache"}


def no_store(response):
    """Keep ``response`` out of every cache, and out of the browser's history.

    For anything that shows a case or a key, and for answers that must not be replayed
    (a 503). Call it on one response, or hook it to a blueprint:
    ``bp.after_request(no_store)``.
    """
    response.headers["Cache-Control"] = "no-store"
    return response


def add_security_headers(response):
    """Add each header the view did not set itself (one pass: this runs on every response)."""
    defaults = PAGE_HEADERS if response.mimetype == "text/html" else SECURITY_HEADERS
    present = {name.lower() for name in response.headers.keys()}
    response.headers.extend(
        [(name, value) for name, value in defaults.items() if name.lower() not in present]
    )
    return response


class DropClientAddress(logging.Filter):
    """Blank out the client address that Werkzeug's request log starts with."""

    LEADING_ADDRESS = re.compile(r"^\S+ - - ")

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = self.LEADING_ADDRESS.sub("- - - ", record.msg)
        return True


class ScrubRequestDetails(logging.Filter):
    """Remove IP addresses and query strings from a log record (message and traceback).

    For servers' own logs (gunicorn's error log, see ``gunicorn.conf.py``), which
    quote the client address and the request line of a malformed request, and for the
    app's log of unexpected errors.
    """

    IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])")
    IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")
    QUERY = re.compile(r"\?[^\s'\"]*")

    @classmethod
    def scrub(cls, text):
        text = cls.QUERY.sub("?-", text)
        return cls.IPV6.sub("-", cls.IPV4.sub("-", text))

    def filter(self, record):
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def init_app(app):
    app.after_request(add_security_headers)
    add_filter_once(logging.getLogger("werkzeug"), DropClientAddress)
    add_filter_once(app.logger, ScrubRequestDetails)  # unhandled errors' tracebacks


def add_filter_once(logger, kind):
    """Loggers are process-wide: every app made (tests make many) shares one filter."""
    if not any(isinstance(existing, kind) for existing in logger.filters):
        logger.addFilter(kind())
