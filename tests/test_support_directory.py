"""The support directory loader: shipped data, validation errors, filters and dropdowns."""

import datetime
from pathlib import Path

import pytest
from babel import Locale
from openncii.helpdesk.support import (
    SERVICE_LABELS,
    WORLDWIDE,
    DirectoryError,
    country_options,
    filter_organisations,
    language_options,
    load_directory,
)

SHIPPED = Path(__file__).resolve().parents[1] / "content" / "support"

VALID = """\
name = "Example Helpline"
countries = ["GB", "IE"]
languages = ["en"]
services = ["helpline", "removal"]
website = "https://example.org"
phone = "+44 (0)20 7946-0000"
email = "help@example.org"
hours = "Weekdays"
description = "An example."
source = "https://example.org/contact"
checked = 2026-11-25
"""


def write(folder, slug, text):
    path = folder / f"{slug}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def replace_line(field, line):
    """VALID with the line of ``field`` replaced by ``line`` (or dropped when None)."""
    lines = [
        (line if current.startswith(f"{field} =") else current) for current in VALID.splitlines()
    ]
    return "\n".join(current for current in lines if current is not None) + "\n"


# --- shipped data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_directory(SHIPPED)


def test_shipped_directory_is_big_enough(shipped):
    countries = {code for org in shipped for code in org.countries} - {WORLDWIDE}
    assert len(shipped) >= 15
    assert len(countries) >= 10


def test_every_shipped_entry_says_where_its_details_come_from(shipped):
    for org in shipped:
        assert org.source.startswith("https://"), org.slug
        assert org.website.startswith("https://"), org.slug
        assert isinstance(org.checked, datetime.date), org.slug
        assert org.checked <= datetime.date.today(), org.slug


def test_shipped_directory_has_a_worldwide_under18_service(shipped):
    assert any(org.worldwide and "under18" in org.services for org in shipped)


def test_loaded_organisation_fields(tmp_path):
    write(tmp_path, "example", VALID)
    (org,) = load_directory(tmp_path)
    assert org.slug == "example"
    assert org.countries == ("GB", "IE")
    assert org.services == ("helpline", "removal")
    assert org.checked == datetime.date(2026, 11, 25)
    assert org.tel_uri == "tel:+4402079460000"
    assert not org.worldwide


def test_files_other_than_toml_are_ignored(tmp_path):
    write(tmp_path, "example", VALID)
    (tmp_path / "README.md").write_text("# notes\n")
    assert [org.slug for org in load_directory(tmp_path)] == ["example"]


# --- validation errors --------------------------------------------------------------------

BAD_FIELDS = [
    ("unknown field", VALID + 'fax = "123"\n', "fax"),
    ("missing name", replace_line("name", None), "name"),
    ("missing website", replace_line("website", None), "website"),
    ("missing source", replace_line("source", None), "source"),
    ("missing checked", replace_line("checked", None), "checked"),
    ("empty name", replace_line("name", 'name = "  "'), "name"),
    ("lower-case country", replace_line("countries", 'countries = ["gb"]'), "countries"),
    ("unknown country", replace_line("countries", 'countries = ["QQ"]'), "countries"),
    ("region not a country", replace_line("countries", 'countries = ["150"]'), "countries"),
    ("not a country", replace_line("countries", 'countries = ["EU"]'), "countries"),
    ("country not a list", replace_line("countries", 'countries = "GB"'), "countries"),
    ("empty countries", replace_line("countries", "countries = []"), "countries"),
    ("repeated country", replace_line("countries", 'countries = ["GB", "GB"]'), "countries"),
    ("three-letter language", replace_line("languages", 'languages = ["eng"]'), "languages"),
    ("unknown language", replace_line("languages", 'languages = ["qq"]'), "languages"),
    ("empty languages", replace_line("languages", "languages = []"), "languages"),
    ("unknown service", replace_line("services", 'services = ["therapy"]'), "services"),
    ("empty services", replace_line("services", "services = []"), "services"),
    ("http website", replace_line("website", 'website = "http://example.org"'), "website"),
    ("bare website", replace_line("website", 'website = "example.org"'), "website"),
    ("http source", replace_line("source", 'source = "http://example.org"'), "source"),
    ("date as text", replace_line("checked", 'checked = "2026-11-25"'), "checked"),
    ("date with time", replace_line("checked", "checked = 2026-11-25T10:00:00"), "checked"),
    ("letters in phone", replace_line("phone", 'phone = "0800 HELP"'), "phone"),
    ("bad email", replace_line("email", 'email = "help.example.org"'), "email"),
    ("empty hours", replace_line("hours", 'hours = ""'), "hours"),
]


@pytest.mark.parametrize(
    "text, field", [case[1:] for case in BAD_FIELDS], ids=[case[0] for case in BAD_FIELDS]
)
def test_bad_field_is_reported_with_file_and_field(tmp_path, text, field):
    write(tmp_path, "good", VALID.replace("Example Helpline", "Another Helpline"))
    path = write(tmp_path, "broken-entry", text)
    with pytest.raises(DirectoryError) as error:
        load_directory(tmp_path)
    assert str(path) in str(error.value)
    assert f"'{field}'" in str(error.value)


def test_duplicate_names_are_reported_with_both_files(tmp_path):
    write(tmp_path, "first", VALID)
    write(tmp_path, "second", VALID.replace("Example Helpline", "example helpline"))
    with pytest.raises(DirectoryError) as error:
        load_directory(tmp_path)
    message = str(error.value)
    assert "second.toml" in message and "first.toml" in message and "'name'" in message


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "broken", 'name = "unterminated\n')
    with pytest.raises(DirectoryError, match="not valid TOML") as error:
        load_directory(tmp_path)
    assert str(path) in str(error.value)


def test_bad_file_name_is_reported(tmp_path):
    path = write(tmp_path, "Example Helpline", VALID)
    with pytest.raises(DirectoryError, match="file name") as error:
        load_directory(tmp_path)
    assert str(path) in str(error.value)


def test_missing_folder_is_reported(tmp_path):
    with pytest.raises(DirectoryError, match="not found"):
        load_directory(tmp_path / "nowhere")


# --- filtering ----------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path):
    entries = {
        "zeta-uk": ("Zeta UK", ["GB"], ["en"], ["helpline"]),
        "alpha-uk": ("Alpha UK", ["GB"], ["en", "ar"], ["legal", "counselling"]),
        "spain": ("Ayuda España", ["ES"], ["es"], ["removal"]),
        "world": ("Anywhere Help", ["001"], ["en", "es"], ["removal", "under18"]),
    }
    for slug, (name, countries, languages, services) in entries.items():
        text = (
            f'name = "{name}"\ncountries = {countries!r}\nlanguages = {languages!r}\n'
            f'services = {services!r}\nwebsite = "https://example.org/{slug}"\n'
            f'source = "https://example.org/{slug}"\nchecked = 2026-11-25\n'
        ).replace("'", '"')
        write(tmp_path, slug, text)
    return load_directory(tmp_path)


def names(orgs):
    return [org.name for org in orgs]


def test_no_filter_lists_country_specific_first_then_by_name(sample):
    assert names(filter_organisations(sample)) == [
        "Alpha UK",
        "Ayuda España",
        "Zeta UK",
        "Anywhere Help",
    ]


def test_country_filter_includes_worldwide_services_last(sample):
    assert names(filter_organisations(sample, country="GB")) == [
        "Alpha UK",
        "Zeta UK",
        "Anywhere Help",
    ]
    assert names(filter_organisations(sample, country="gb")) == names(
        filter_organisations(sample, country="GB")
    )
    assert names(filter_organisations(sample, country="FR")) == ["Anywhere Help"]


def test_language_filter(sample):
    assert names(filter_organisations(sample, language="ar")) == ["Alpha UK"]
    assert names(filter_organisations(sample, language="es")) == ["Ayuda España", "Anywhere Help"]


def test_service_filter(sample):
    assert names(filter_organisations(sample, service="removal")) == [
        "Ayuda España",
        "Anywhere Help",
    ]
    assert names(filter_organisations(sample, service="under18")) == ["Anywhere Help"]


def test_filters_combine(sample):
    assert names(filter_organisations(sample, country="ES", language="es", service="removal")) == [
        "Ayuda España",
        "Anywhere Help",
    ]
    assert filter_organisations(sample, country="GB", service="removal", language="ar") == []


def test_country_options_are_localized_and_leave_out_worldwide(sample):
    assert country_options(sample, "en") == [("ES", "Spain"), ("GB", "United Kingdom")]
    assert country_options(sample, "es") == [("ES", "España"), ("GB", "Reino Unido")]
    assert dict(country_options(sample, "ar"))["ES"] == "إسبانيا"
    assert dict(country_options(sample, "pt-BR"))["ES"] == "Espanha"
    assert country_options(sample, Locale("es")) == country_options(sample, "es")


def test_language_options_are_localized_and_sorted_ignoring_accents(sample):
    assert language_options(sample, "es") == [
        ("ar", "Árabe"),
        ("es", "Español"),
        ("en", "Inglés"),
    ]
    assert [code for code, _ in language_options(sample, "en")] == ["ar", "en", "es"]


def test_every_service_has_a_label():
    assert set(SERVICE_LABELS) == {
        "counselling",
        "legal",
        "reporting",
        "removal",
        "helpline",
        "under18",
    }
    assert all(str(label) for label in SERVICE_LABELS.values())
