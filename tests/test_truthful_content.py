"""Every sentence is true for the running configuration: e-mail, government, StopNCII,
retention, and what reaches us."""

import re
from pathlib import Path

import pytest
from openncii.config import DEFAULTS

FAQ_DIR = Path(__file__).resolve().parents[1] / "content" / "faq"
LOCALES = DEFAULTS["LANGUAGES"]
CONDITION = re.compile(r"\{if (not )?([a-z_0-9]+)\}(.*?)\{end\}", re.DOTALL)


def blocks(lang, name, negated=False):
    """Distinctive snippets of the FAQ text shown only when condition ``name`` holds."""
    found = []
    for path in sorted((FAQ_DIR / lang).glob("*.md")):
        for neg, cond, inside in CONDITION.findall(path.read_text(encoding="utf-8")):
            if cond == name and bool(neg) == negated:
                plain = re.sub(r"[\[\]()*]", "", inside.replace("{org_name}", "OpenNCII"))
                plain = re.sub(r"\{[a-z_]+\}", "", plain).strip()
                found.append(plain[:25].strip())
    return found


def text_of(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def mail_client(make_app):
    return make_app(SMTP_URL="smtp://127.0.0.1:1").test_client()


@pytest.mark.parametrize("lang", LOCALES)
def test_email_sentences_only_when_smtp_is_configured(client, mail_client, lang):
    snippets = blocks(lang, "mail")
    assert len(snippets) == 3  # how it works, why no account, lost PIN
    without, with_mail = text_of(client, f"/{lang}/faq"), text_of(mail_client, f"/{lang}/faq")
    for snippet in snippets:
        assert snippet not in without, (lang, snippet)
        assert snippet in with_mail, (lang, snippet)


def test_email_on_the_privacy_page_only_when_smtp_is_configured(client, mail_client):
    assert "Your e-mail address" not in text_of(client, "/en/privacy")
    assert "Your e-mail address, only if you ask" in text_of(mail_client, "/en/privacy")


@pytest.mark.parametrize("lang", LOCALES)
def test_government_answer_follows_configuration(make_app, client, lang):
    public = make_app(GOVERNMENT_SERVICE=True).test_client()
    yes, no = blocks(lang, "government"), blocks(lang, "government", negated=True)
    assert len(yes) == len(no) == 1
    assert yes[0] in text_of(public, f"/{lang}/faq") and no[0] not in text_of(
        public, f"/{lang}/faq"
    )
    assert no[0] in text_of(client, f"/{lang}/faq") and yes[0] not in text_of(
        client, f"/{lang}/faq"
    )


def test_not_stopncii_statement_is_on_by_default(make_app, client):
    assert "This service is run by OpenNCII. It is not StopNCII.org." in text_of(client, "/en/")
    quiet = make_app(NOT_STOPNCII_STATEMENT=False, ORG_NAME="Example Helpline").test_client()
    page = text_of(quiet, "/en/")
    assert "StopNCII" not in page and "Run by Example Helpline." in page


def test_retention_is_stated_in_plain_words(make_app):
    client = make_app(WITHDRAWN_RETENTION_DAYS=14).test_client()
    assert "for 14 days so that every platform hears it" in text_of(client, "/en/faq")
    assert "stay for 14 days so that every partner platform hears" in text_of(client, "/en/privacy")


def test_privacy_page_says_what_reaches_us(client):
    page = text_of(client, "/en/privacy")
    never, reaches = page.index("What never reaches us"), page.index("reaches us but is never")
    assert never < page.index("Your pictures and videos") < reaches
    assert reaches < page.index("Your IP address") < page.index("What we keep")
