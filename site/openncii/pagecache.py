"""Whole-page cache for public pages that are the same for every visitor.

A cached page is stored with its CSRF token (the only per-visitor part) replaced by a
placeholder, and each response puts the visitor's own token back. Keys are the full
path with query string, so every locale and filter combination is its own entry.

Use it only on pages whose HTML depends on nothing but the URL and the configuration:
no session data, no flashed messages, nothing about the visitor.
"""
from collections import OrderedDict
from functools import wraps
from threading import Lock

from flask import current_app, request
from flask_wtf.csrf import generate_csrf

TOKEN_PLACEHOLDER = "\x00csrf-token\x00"
MAX_PAGES = 1024


class PageCache:
    def __init__(self, size=MAX_PAGES):
        self.pages = OrderedDict()
        self.size = size
        self.lock = Lock()

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


def cached_page(view):
    """Serve a GET page from the cache, rendering it on a miss."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or current_app.debug:
            return view(*args, **kwargs)
        cache = current_app.extensions.setdefault("openncii_pages", PageCache())
        key = request.full_path
        page = cache.get(key)
        token = generate_csrf()
        if page is None:
            html = view(*args, **kwargs)
            if not isinstance(html, str):
                return html
            page = html.replace(token, TOKEN_PLACEHOLDER)
            cache.put(key, page)
        return page.replace(TOKEN_PLACEHOLDER, token)
    return wrapper
