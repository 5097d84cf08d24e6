"""Whole-page cache for public pages that are the same for every visitor.

Pages such as the FAQ depend on nothing but their URL and the configuration, so once
rendered they are served like static files. :func:`cached_page` marks a view's page as
cacheable and renders it once; :class:`PageCacheMiddleware` (around the Flask app)
keeps it, with the headers Flask gave it (security headers included), and answers the
next requests for the same URL itself: no routing, no session, no cookie, no template.

Each page is kept gzip-compressed with an ETag: a browser revalidating with a matching
``If-None-Match`` gets ``304 Not Modified``; the rare client that doesn't accept gzip
gets it decompressed. A response that sets a cookie or varies by cookie (that is, one
that used the session: a CSRF token, a flashed message) is never kept.
"""

import gzip
import hashlib
from collections import OrderedDict
from functools import wraps
from threading import Lock

from flask import current_app, request
from werkzeug.http import parse_accept_header, parse_etags

MAX_PAGES = 1024  # about 25 KB each once compressed
COMPRESS_LEVEL = 9  # paid once per page, so take the smallest
ENVIRON_KEY = "openncii.cached_page"
# Headers that belong to one response's encoding of the page, not to the page.
PER_RESPONSE_HEADERS = {"content-length", "content-encoding"}


class CachedPage:
    """One rendered page, served as a WSGI application with gzip and ETag negotiation."""

    def __init__(self, html):
        body = html.encode()
        self.gzipped = gzip.compress(body, COMPRESS_LEVEL, mtime=0)
        self.etag = hashlib.sha256(body).hexdigest()[:24]
        # Weak: the ETag names the page, whichever encoding carries it.
        self.headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("ETag", f'W/"{self.etag}"'),
            ("Vary", "Accept-Encoding"),
        ]

    def __call__(self, environ, start_response):
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(self.etag):
            start_response("304 Not Modified", self.headers)
            return []
        if parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))["gzip"]:
            body, encoding = self.gzipped, [("Content-Encoding", "gzip")]
        else:
            body, encoding = gzip.decompress(self.gzipped), []
        start_response("200 OK", [*self.headers, *encoding, ("Content-Length", str(len(body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def adopt_headers(self, headers):
        """Take the headers Flask sent with this page (security headers and all)."""
        self.headers = [
            (name, value) for name, value in headers if name.lower() not in PER_RESPONSE_HEADERS
        ]


def cached_page(view):
    """Render a GET view's page once; later requests for its URL are served from memory.

    Not in debug mode, so templates reload while they are being edited.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        html = view(*args, **kwargs)
        if current_app.debug or not isinstance(html, str):
            return html
        page = CachedPage(html)
        request.environ[ENVIRON_KEY] = page
        return page

    return wrapper


def is_shareable(headers):
    """Whether a response is the same for everyone (it neither sets nor reads a cookie)."""
    for name, value in headers:
        name = name.lower()
        if name == "set-cookie" or (name == "vary" and "cookie" in value.lower()):
            return False
    return True


class PageCacheMiddleware:
    """Serve pages that :func:`cached_page` rendered from memory, least recent out."""

    def __init__(self, app, size=MAX_PAGES):
        self.app = app
        self.size = size
        self.pages = OrderedDict()
        self.lock = Lock()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in {"GET", "HEAD"}:
            return self.app(environ, start_response)
        key = cache_key(environ)
        page = self.get(key)
        if page is not None:
            return page(environ, start_response)

        def keep_page(status, headers, exc_info=None):
            page = environ.get(ENVIRON_KEY)
            if page is not None and status[:3] in {"200", "304"} and is_shareable(headers):
                page.adopt_headers(headers)
                self.put(key, page)
            return start_response(status, headers, exc_info)

        return self.app(environ, keep_page)

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self.lock:
            self.pages[key] = page
            if len(self.pages) > self.size:
                self.pages.popitem(last=False)


def cache_key(environ):
    """The URL as the app saw it: mount point, path and query string."""
    return (
        f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
        f"?{environ.get('QUERY_STRING', '')}"
    )


def init_app(app):
    app.wsgi_app = PageCacheMiddleware(app.wsgi_app)
