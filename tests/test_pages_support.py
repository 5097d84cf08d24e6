"""The support directory pages: listing, localized country names, filters without JavaScript."""

import html
import re

import pytest
from markupsafe import escape

LOCALES = ["en", "es", "ar"]
GERMANY = {"en": "Germany", "es": "Alemania", "ar": "ألمانيا"}
UK = {"en": "United Kingdom", "es": "Reino Unido", "ar": "المملكة المتحدة"}

ORG_NAME = re.compile(r'data-testid="org"[^>]*>\s*<h2><a href="[^"]+">(.*?)</a></h2>', re.S)
SELECTED = re.compile(r'<option value="([^"]*)" selected>')

ENTRIES = {
    "zeta": ("Zeta Line", ["GB"], ["en"], ["helpline"], 'phone = "+44 (0)20 7946-0000"\n'),
    "alpha": (
        "Alpha & <Friends>",
        ["GB"],
        ["en", "ar"],
        ["legal", "counselling"],
        'email = "help@alpha.example"\n',
    ),
    "berlin": ("Berlin Beratung", ["DE"], ["de"], ["removal"], ""),
    "world": ("Anywhere Help", ["001"], ["en", "es"], ["removal", "under18"], ""),
}


@pytest.fixture
def sample_client(make_app, tmp_path):
    """A client of an app whose directory holds the four ``ENTRIES``."""
    folder = tmp_path / "content" / "support"
    folder.mkdir(parents=True)
    for slug, (name, countries, languages, services, extra) in ENTRIES.items():
        (folder / f"{slug}.toml").write_text(
            f'name = "{name}"\ncountries = {countries}\nlanguages = {languages}\n'
            f'services = {services}\nwebsite = "https://{slug}.example/"\n'
            f'source = "https://{slug}.example/about"\nchecked = 2026-11-25\n'.replace("'", '"')
            + extra,
            encoding="utf-8",
        )
    return make_app(CONTENT_DIR=tmp_path / "content").test_client()


def org_names(page):
    return [html.unescape(name) for name in ORG_NAME.findall(page)]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LOCALES)
def test_shipped_directory_lists_every_organisation(client, app, lang):
    page = get(client, f"/{lang}/support")
    directory = app.extensions["openncii_support"]
    assert page.count('data-testid="org"') == len(directory) >= 15
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page


@pytest.mark.parametrize("lang", LOCALES)
def test_shipped_country_page_shows_local_and_worldwide_services(client, app, lang):
    page = get(client, f"/{lang}/support/DE")
    directory = app.extensions["openncii_support"]
    expected = [org for org in directory if "DE" in org.countries or org.worldwide]
    assert len(org_names(page)) == len(expected)
    assert "<h1>" in page and GERMANY[lang] in page.split("<h1>")[1].split("</h1>")[0]


# Services speaking the page's language first; then that country's before worldwide ones.
RANKED_GB = {
    "en": ["Alpha & <Friends>", "Zeta Line", "Anywhere Help"],
    "es": ["Anywhere Help", "Alpha & <Friends>", "Zeta Line"],
    "ar": ["Alpha & <Friends>", "Zeta Line", "Anywhere Help"],
}


@pytest.mark.parametrize("lang", LOCALES)
def test_country_page_ranks_the_readers_language_then_that_country_first(sample_client, lang):
    page = get(sample_client, f"/{lang}/support/GB")
    assert org_names(page) == RANKED_GB[lang]
    assert UK[lang] in page.split("<h1>")[1].split("</h1>")[0]
    assert SELECTED.findall(page) == ["GB"]


@pytest.mark.parametrize("lang", LOCALES)
def test_country_dropdown_names_are_localized_and_worldwide_is_not_a_choice(sample_client, lang):
    page = get(sample_client, f"/{lang}/support")
    assert f'<option value="DE">{GERMANY[lang]}</option>' in page
    assert f'<option value="GB">{UK[lang]}</option>' in page
    assert 'value="001"' not in page


@pytest.mark.parametrize("lang", LOCALES)
def test_country_filter_by_query_matches_country_page(sample_client, lang):
    by_query = get(sample_client, f"/{lang}/support?country=gb")
    assert org_names(by_query) == org_names(get(sample_client, f"/{lang}/support/gb"))
    assert org_names(get(sample_client, f"/{lang}/support?country=FR")) == ["Anywhere Help"]


@pytest.mark.parametrize("lang", LOCALES)
def test_language_filter(sample_client, lang):
    page = get(sample_client, f"/{lang}/support?language=ar")
    assert org_names(page) == ["Alpha & <Friends>"]
    assert SELECTED.findall(page) == ["ar"]
    assert org_names(get(sample_client, f"/{lang}/support?language=es")) == ["Anywhere Help"]


@pytest.mark.parametrize("lang", LOCALES)
def test_service_filter(sample_client, lang):
    page = get(sample_client, f"/{lang}/support?service=removal")
    local_first = ["Berlin Beratung", "Anywhere Help"]  # neither speaks Arabic
    assert org_names(page) == (local_first if lang == "ar" else local_first[::-1])
    assert SELECTED.findall(page) == ["removal"]


@pytest.mark.parametrize("lang", LOCALES)
def test_filters_combine_and_an_empty_result_still_renders(sample_client, lang):
    page = get(sample_client, f"/{lang}/support/DE?service=removal&language=de")
    assert org_names(page) == ["Berlin Beratung"]
    assert sorted(SELECTED.findall(page)) == ["DE", "de", "removal"]
    empty = get(sample_client, f"/{lang}/support/GB?service=under18&language=ar")
    assert org_names(empty) == []
    assert f'href="/{lang}/support"' in empty  # clear the filters


@pytest.mark.parametrize("lang", LOCALES)
def test_filter_form_works_without_javascript(sample_client, lang):
    page = get(sample_client, f"/{lang}/support/GB")
    form = page.split('<form class="filters')[1].split("</form>")[0]
    assert f'method="get" action="/{lang}/support"' in form
    for name in ("country", "language", "service"):
        assert f'name="{name}"' in form
    for service in ("counselling", "legal", "reporting", "removal", "helpline", "under18"):
        assert f'<option value="{service}"' in form
    assert 'type="submit"' in form


@pytest.mark.parametrize("lang", LOCALES)
def test_contact_details_are_links_kept_left_to_right(sample_client, lang):
    page = get(sample_client, f"/{lang}/support/GB")
    assert '<a href="tel:+4402079460000" dir="ltr">+44 (0)20 7946-0000</a>' in page
    assert '<a href="mailto:help@alpha.example" dir="ltr">help@alpha.example</a>' in page
    assert '<a href="https://zeta.example/" dir="ltr"' in page
    assert 'href="https://zeta.example/about"' in page  # where the details come from


def test_organisation_data_is_escaped(sample_client):
    page = get(sample_client, "/en/support/GB")
    assert "Alpha &amp; &lt;Friends&gt;" in page
    assert "<Friends>" not in page


def test_unknown_country_is_not_found(sample_client):
    assert sample_client.get("/en/support/XX").status_code == 404
    assert sample_client.get("/en/support/france").status_code == 404
    assert sample_client.get("/en/support?country=ZZ").status_code == 404


def test_worldwide_page_lists_only_worldwide_services(sample_client):
    page = get(sample_client, "/es/support/001")
    assert org_names(page) == ["Anywhere Help"]


# --- pages per organisation and per country -----------------------------------------------------

LINK_BOX = re.compile(r'<input id="page-link" type="text" readonly value="([^"]+)"')


def test_every_organisation_has_a_page_in_every_locale(client, app):
    """Fast check of every entry in every enabled locale (axe runs on a sample in Chromium)."""
    directory = app.extensions["openncii_support"]
    for lang in app.config["LANGUAGES"]:
        for org in directory:
            page = get(client, f"/{lang}/support/{org.slug}")
            assert str(escape(org.name)) in page.split("<h1>")[1], (lang, org.slug)
            assert LINK_BOX.search(page).group(1) == f"/{lang}/support/{org.slug}"
            description, in_locale = org.localized("description", lang)
            assert str(escape(description)) in page, (lang, org.slug)
            assert in_locale != "en" or lang == "en", (lang, org.slug)  # never the fallback


def test_every_country_has_a_page_in_every_locale(client, app):
    directory = app.extensions["openncii_support"]
    countries = {code for org in directory for code in org.countries}
    for lang in app.config["LANGUAGES"]:
        for code in countries:
            page = get(client, f"/{lang}/support/country/{code}")
            expected = [org for org in directory if org.serves(code)]
            assert len(org_names(page)) == len(expected), (lang, code)
            assert LINK_BOX.search(page).group(1) == f"/{lang}/support/country/{code}"


@pytest.mark.parametrize("lang", LOCALES)
def test_published_country_urls_keep_working_beside_organisation_pages(sample_client, lang):
    """Country codes are 2 letters (or 001), slugs at least 4: the two never collide."""
    old = org_names(get(sample_client, f"/{lang}/support/GB"))
    assert old == org_names(get(sample_client, f"/{lang}/support/country/GB"))
    assert old == org_names(get(sample_client, f"/{lang}/support/country/gb"))
    assert "Zeta Line" in get(sample_client, f"/{lang}/support/zeta")
    assert sample_client.get(f"/{lang}/support/xyz").status_code == 404  # not a country
    assert sample_client.get(f"/{lang}/support/nobody").status_code == 404  # not an entry
    assert sample_client.get(f"/{lang}/support/country/zeta").status_code == 404


def test_directory_links_each_organisation_to_its_page(sample_client):
    page = get(sample_client, "/es/support")
    assert '<h2><a href="/es/support/alpha">Alpha &amp; &lt;Friends&gt;</a></h2>' in page
    assert "page-link" not in page  # the unfiltered list has no link box


def test_organisation_page_links_its_countries(sample_client):
    page = get(sample_client, "/fr/support/alpha")
    assert '<a href="/fr/support/country/GB">Royaume-Uni</a>' in page


def test_link_box_uses_the_configured_public_address(make_app, tmp_path):
    client = make_app(PUBLIC_URL="https://help.example.org/").test_client()
    page = get(client, "/de/support/stopncii")
    assert LINK_BOX.search(page).group(1) == "https://help.example.org/de/support/stopncii"


def test_link_box_never_takes_the_address_from_the_host_header(client):
    page = client.get("/en/support/country/GB", headers={"Host": "evil.example"})
    assert "evil.example" not in page.get_data(as_text=True)


def test_link_box_works_without_javascript(client):
    page = get(client, "/en/support/stopncii")
    box = page.split("data-link-box")[1].split("</div>")[0]
    assert 'readonly value="/en/support/stopncii"' in box
    assert '<label for="page-link">Link to this page</label>' in box
    assert "<button" not in box  # the copy button comes with the script
    assert "/static/js/link-box.js" in page


# --- what each entry shows ------------------------------------------------------------------------


def test_open_all_day_and_under18_services_are_marked(client):
    page = get(client, "/en/support/country/GB")
    entries = dict(re.findall(r'id="org-([a-z0-9-]+)">(.*?)</dl>', page, re.S))
    assert "Only for people under 18" in entries["childline"]
    assert "Only for people under 18" not in entries["revenge-porn-helpline"]
    rainn = get(client, "/en/support/rainn")
    assert "Open 24 hours, every day" in rainn
    assert "24 hours a day, 7 days a week" in rainn


def test_opening_hours_are_in_the_readers_language(client):
    assert "Monday to Friday, 8:00\u202fAM–8:00\u202fPM" in get(client, "/en/support/netsafe")
    assert "Every day" not in get(client, "/en/support/netsafe")
    assert "Todos los días, de 8:00 a 23:00" in get(client, "/es/support/incibe-017")
    assert "Montag bis Freitag, 08:00–20:00" in get(client, "/de/support/netsafe")
    assert "كل يوم" in get(client, "/ar/support/digital-rights-foundation")


def test_description_in_the_readers_language_and_the_name_kept(client):
    page = get(client, "/ja/support/hilfetelefon")
    assert "Hilfetelefon Gewalt gegen Frauen" in page
    assert "あらゆる暴力に直面する女性" in page


def test_english_fallback_is_flagged(make_app, tmp_path):
    folder = tmp_path / "content" / "support"
    folder.mkdir(parents=True)
    (folder / "only-english.toml").write_text(
        'name = "Only English"\ncountries = ["GB"]\nlanguages = ["en"]\nservices = ["helpline"]\n'
        'website = "https://only.example"\nsource = "https://only.example/about"\n'
        'checked = 2026-11-25\ndescription = "Just English."\n',
        encoding="utf-8",
    )
    page = get(make_app(CONTENT_DIR=tmp_path / "content").test_client(), "/ar/support/only-english")
    assert '<p lang="en" dir="ltr">Just English. <span class="small" lang="ar" dir="rtl">(' in page


def test_arabic_readers_see_arabic_speaking_adult_services_first(client, app):
    directory = app.extensions["openncii_support"]
    by_name = {org.name: org for org in directory}
    ranked = [by_name[name] for name in org_names(get(client, "/ar/support"))]
    speaks = [org.speaks("ar") and org.serves_adults for org in ranked]
    assert speaks[0] and speaks == sorted(speaks, reverse=True)
    assert ranked.index(by_name["Hilfetelefon Gewalt gegen Frauen"]) < ranked.index(
        by_name["HateAid"]
    )


def test_uk_adults_see_adult_services_before_childline(client):
    names = org_names(get(client, "/en/support/GB"))
    assert names.index("Revenge Porn Helpline") < names.index("Childline (NSPCC)")
