"""The support directory pages: listing, localized country names, filters without JavaScript."""

import html
import re

import pytest

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
