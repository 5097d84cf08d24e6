"""Every public page, in every enabled locale: status, language markup, headers."""

import logging
import re

import pytest
import requests
from helpers import localized_pages
from openncii.helpdesk import faq
from openncii.i18n import text_direction

LOCALES = ["en", "es", "ar"]


@pytest.fixture
def pages(app):
    return localized_pages(app)


def test_every_page_in_every_locale(client, pages, app):
    assert {
        "/{lang}/",
        "/{lang}/faq",
        "/{lang}/eligibility",
        "/{lang}/support",
        "/{lang}/privacy",
    } <= set(pages)
    for template in pages:
        for lang in app.config["LANGUAGES"]:
            url = template.format(lang=lang)
            response = client.get(url)
            html = response.get_data(as_text=True)
            assert response.status_code == 200, url
            assert f'<html lang="{lang}" dir="{text_direction(lang)}"' in html, url
            for other in app.config["LANGUAGES"]:
                assert f'hreflang="{other}" href="{template.format(lang=other)}"' in html, url
            assert "data-quick-exit" in html and 'href="#main"' in html, url


@pytest.mark.parametrize(
    "lang,direction",
    [("en", "ltr"), ("es", "ltr"), ("ar", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("ur", "rtl")],
)
def test_text_direction(lang, direction):
    assert text_direction(lang) == direction


@pytest.mark.parametrize(
    "header,expected",
    [
        ("es-MX,es;q=0.9,en;q=0.5", "/es/"),
        ("ar", "/ar/"),
        ("am-ET", "/en/"),
        ("", "/en/"),
        ("am;q=0.9, ar;q=0.8", "/ar/"),
        ("pt-BR,pt;q=0.8", "/pt-BR/"),
        ("zh-CN,zh;q=0.9", "/zh-Hans/"),
    ],
)
def test_root_redirects_to_best_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_unknown_locale_is_not_found(client):
    response = client.get("/xx/faq")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_language_switcher_keeps_the_page_and_query(client):
    html = client.get("/es/support?service=legal").get_data(as_text=True)
    switcher = html.split('class="language-switcher"', 1)[1].split("</details>", 1)[0]
    assert 'href="/ar/support?service=legal"' in switcher
    assert 'href="/en/support?service=legal"' in switcher
    assert ">العربية<" in switcher and ">Español<" in switcher


def test_every_locale_shows_translated_pages(client, app):
    """The compiled catalogs are used: no English interface text outside /en/."""
    for lang in app.config["LANGUAGES"][1:]:
        html = client.get(f"/{lang}/").get_data(as_text=True)
        assert "Skip to main content" not in html and "Leave this site quickly" not in html, lang


@pytest.mark.parametrize("url", ["/en/", "/ar/faq", "/static/css/site.css", "/en/missing", "/"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp and "*" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_links_assets_from_another_origin(client, pages):
    for template in pages:
        html = client.get(template.format(lang="en")).get_data(as_text=True)
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html)


def faq_anchors(client, lang):
    html = client.get(f"/{lang}/faq").get_data(as_text=True)
    return re.findall(r'<section class="faq-question" id="([a-z0-9-]+)"', html)


def test_faq_has_the_same_questions_in_every_locale(client):
    english = faq_anchors(client, "en")
    assert len(english) >= 30 and len(set(english)) == len(english)
    for lang in LOCALES[1:]:
        assert faq_anchors(client, lang) == english


def test_faq_search_works_without_javascript(client):
    html = client.get("/en/faq?q=PIN lose").get_data(as_text=True)
    anchors = re.findall(r'<section class="faq-question" id="([a-z0-9-]+)"', html)
    assert "lost-pin" in anchors and 0 < len(anchors) < 10
    nothing = client.get("/en/faq?q=zzzxqv").get_data(as_text=True)
    assert 'class="faq-question"' not in nothing and "No questions match" in nothing


def test_faq_fills_operator_facts(make_app):
    app = make_app(
        ORG_NAME="Helpline Example",
        CONTACT_EMAIL="team@helpline.example",
        PARTNER_PLATFORMS=["PhotoSite", "VideoSite"],
        UNDER18_NAME="Kids Line",
        UNDER18_URL="https://kids.example/",
    )
    html = app.test_client().get("/en/faq").get_data(as_text=True)
    assert "Helpline Example" in html and "team@helpline.example" in html
    assert "PhotoSite and VideoSite" in html
    assert '<a href="https://kids.example/">Kids Line</a>' in html
    assert not re.search(r"\{[a-z_]+\}", html)


def test_faq_markdown_escapes_raw_html(tmp_path):
    (tmp_path / "01-topic.md").write_text(
        "# Topic\n\n## Question? {#q}\n<script>alert(1)</script> and <b>bold</b> {org_name}\n"
    )
    topics = faq.load_faq(tmp_path, {"org_name": "<i>Org</i>"})
    html = str(topics[0].questions[0].html)
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html


def test_faq_rejects_unknown_tokens(tmp_path):
    (tmp_path / "01-topic.md").write_text("# Topic\n\n## Question? {#q}\nHello {nobody}\n")
    with pytest.raises(faq.FaqError, match="01-topic.md: unknown token"):
        faq.load_faq(tmp_path, {})


def test_server_logs_hold_no_client_address(app, serve, caplog):
    base = serve(app)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in ["/", "/en/faq", "/en/missing"]:
            requests.get(base + path, timeout=10)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert '"GET /en/faq HTTP/1.1" 200' in logged
    assert "127.0.0.1" not in logged
