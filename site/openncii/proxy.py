"""Running behind a reverse proxy, over HTTPS.

- ``TRUSTED_PROXIES`` (hops, default 0) wires Werkzeug's ``ProxyFix``: the client
  address and scheme are read from that many ``X-Forwarded-For``/``-Proto`` entries
  counted from the right, the ones our own proxies added. Anything a client wrote
  further left is ignored, so a forged ``X-Forwarded-For`` changes nothing. With 0 the
  headers are ignored altogether (right for ``make run`` and a proxy-less server).
  ``X-Forwarded-Host`` is never read: proxies pass ``Host`` on as it came (nginx
  would pass a client's own ``X-Forwarded-Host`` through untouched).
- ``TRUSTED_HOSTS`` (Flask's setting): other ``Host`` headers get a 400.
- ``HTTPS`` (or a request the trusted proxy says came over https): the session cookie
  is ``Secure`` and named ``__Host-session`` (browsers then refuse it from plain HTTP
  or another subdomain), and responses carry HSTS. Plain-HTTP development and tests
  keep the ordinary ``session`` cookie.

Flask-WTF's extra HTTPS check (``WTF_CSRF_SSL_STRICT``: the ``Referer`` must name this
site) is off: every page says ``Referrer-Policy: no-referrer``, so browsers send no
``Referer`` and every form would fail. What that check guards against -- a cookie
planted over plain HTTP or from a sibling subdomain -- the ``__Host-`` prefix and HSTS
already rule out.
"""

from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=63072000"  # two years; the operator decides about subdomains and preload
SECURE_COOKIE_NAME = "__Host-session"


def served_over_https():
    return current_app.config["HTTPS"] or request.is_secure


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, ``Secure`` with the ``__Host-`` prefix over HTTPS."""

    def get_cookie_name(self, app):
        return SECURE_COOKIE_NAME if served_over_https() else super().get_cookie_name(app)

    def get_cookie_secure(self, app):
        return served_over_https() or super().get_cookie_secure(app)


def add_hsts(response):
    if served_over_https():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app):
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config["TRUSTED_HOSTS"] = app.config["TRUSTED_HOSTS"] or None  # empty: any host
    if app.config["HTTPS"]:
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.session_interface = SessionInterface()
    app.after_request(add_hsts)
