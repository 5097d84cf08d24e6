"""The whole-page cache: same bytes for every visitor, no cookie, gzip, ETag revalidation."""

import gzip

import pytest
from flask_wtf.csrf import generate_csrf
from openncii.pagecache import ENVIRON_KEY, CachedPage, PageCacheMiddleware, cached_page

CACHED_PAGES = ["/en/", "/ar/faq", "/en/faq?q=pin", "/es/privacy", "/en/support?country=GB"]


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_first_visit_gets_no_cookie_and_every_visitor_the_same_page(app, url):
    first, second = app.test_client().get(url), app.test_client().get(url)
    assert first.status_code == second.status_code == 200
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    assert first.get_data() == second.get_data()
    assert "csrf" not in first.get_data(as_text=True)
    assert first.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_gzip_when_accepted_and_plain_otherwise(client, url):
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert (
        "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain.get_data())


def test_revalidation_with_the_etag_gets_304(client):
    page = client.get("/en/faq")
    etag = page.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/en/faq", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = client.get("/es/faq", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_each_query_is_its_own_page(client):
    everything = client.get("/en/faq").get_data(as_text=True)
    found = client.get("/en/faq?q=pin").get_data(as_text=True)
    assert found != everything
    assert client.get("/en/faq?q=pin").get_data(as_text=True) == found


def test_head_request_gets_headers_only(client):
    response = client.head("/en/faq", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["Content-Encoding"] == "gzip"


def app_with_page(make_app, render):
    """An app with a cached page at /page that calls ``render``; returns it and a render count."""
    app = make_app()
    renders = []

    @app.get("/page")
    @cached_page
    def page():
        renders.append(1)
        return render()

    return app, renders


def test_later_visits_are_served_without_rendering_again(make_app):
    app, renders = app_with_page(make_app, lambda: "<p>Same for everyone</p>")
    answers = [app.test_client().get("/page") for _ in range(3)]
    assert len(renders) == 1
    assert {answer.get_data() for answer in answers} == {b"<p>Same for everyone</p>"}
    assert answers[2].headers["X-Frame-Options"] == "DENY"  # Flask's headers are kept
    assert app.test_client().post("/page").status_code == 405


def test_a_page_that_uses_the_session_is_never_kept(make_app):
    app, renders = app_with_page(
        make_app, lambda: f'<input name="csrf_token" value="{generate_csrf()}">'
    )
    visitor = app.test_client()
    first, second = visitor.get("/page"), visitor.get("/page")  # the second sets no cookie
    assert "Set-Cookie" in first.headers and "Set-Cookie" not in second.headers
    assert len(renders) == 2
    assert "Cookie" in second.headers["Vary"]


def test_cache_keeps_the_most_recent_pages():
    rendered = []

    def pages(environ, start_response):
        path = environ["PATH_INFO"]
        rendered.append(path)
        environ[ENVIRON_KEY] = page = CachedPage(f"<p>{path}</p>")
        return page(environ, start_response)

    cache = PageCacheMiddleware(pages, size=2)
    for path in ["/a", "/b", "/a", "/c", "/a", "/b"]:
        body = b"".join(cache({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda *_: None))
        assert body == f"<p>{path}</p>".encode()
    assert rendered == ["/a", "/b", "/c", "/b"]  # "/b" was the least recent when "/c" came
