"""The eligibility check pages: one question per page, every outcome, nothing stored."""

import re

import pytest
from openncii.helpdesk.eligibility import QUESTIONS

LOCALES = ["en", "es", "ar"]
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
QUESTION_ID = re.compile(r'<h1 id="question-([a-z_]+)">')
OUTCOME = re.compile(r'data-outcome="([a-z_0-9]+)"')

PATHS = {
    "not_in_image": ["no"],
    "not_intimate": ["yes", "no"],
    "under18": ["yes", "yes", "yes"],
    "no_file": ["yes", "yes", "no", "no"],
    "eligible": ["yes", "yes", "no", "yes"],
}


def question_form(page):
    """The hidden fields of the question form (the back button has its own form)."""
    form = page.split('data-testid="eligibility-question"')[1].split("</form>")[0]
    return dict(HIDDEN.findall(form))


def back_form(page):
    form = page.split('class="back-form"')[1].split("</form>")[0]
    return dict(HIDDEN.findall(form))


def post(client, lang, data):
    response = client.post(f"/{lang}/eligibility", data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def walk(client, lang, answers):
    """Answer the questions in turn, posting back what each page carries; the last page."""
    response = client.get(f"/{lang}/eligibility")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for answer in answers:
        page = post(client, lang, {**question_form(page), "answer": answer})
    return page


@pytest.mark.parametrize("lang", LOCALES)
def test_first_question_is_a_plain_form(client, lang):
    page = client.get(f"/{lang}/eligibility").get_data(as_text=True)
    assert QUESTION_ID.findall(page) == ["in_image"]
    assert f'<form method="post" action="/{lang}/eligibility" novalidate' in page
    assert page.count('type="radio" value=') == 2
    assert "csrf_token" in question_form(page)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page


@pytest.mark.parametrize("lang", LOCALES)
def test_questions_come_one_per_page_in_order(client, lang):
    seen = []
    page = client.get(f"/{lang}/eligibility").get_data(as_text=True)
    for answer in PATHS["eligible"]:
        seen += QUESTION_ID.findall(page)
        page = post(client, lang, {**question_form(page), "answer": answer})
    assert seen == [question.id for question in QUESTIONS]


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("outcome", PATHS)
def test_every_outcome(client, lang, outcome):
    page = walk(client, lang, PATHS[outcome])
    assert OUTCOME.findall(page) == [outcome]
    assert 'name="robots" content="noindex' in page


@pytest.mark.parametrize("lang", LOCALES)
def test_eligible_links_to_starting_a_case(client, app, lang):
    page = walk(client, lang, PATHS["eligible"])
    start = page.split('data-testid="start-case" href="')[1].split('"')[0]
    if "submit.start" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            assert start == url_for("submit.start", lang=lang)
    else:
        assert start == f"/{lang}/submit"


@pytest.mark.parametrize("lang", LOCALES)
def test_under18_refers_to_the_configured_service(make_app, lang):
    client = make_app(
        UNDER18_NAME="Example Youth Line", UNDER18_URL="https://youth.example.org/start"
    ).test_client()
    page = walk(client, lang, PATHS["under18"])
    assert 'data-testid="under18-service" href="https://youth.example.org/start"' in page
    assert "Example Youth Line" in page
    assert f'href="/{lang}/support?service=under18"' in page


@pytest.mark.parametrize("lang", LOCALES)
def test_under18_defaults_to_take_it_down(client, lang):
    page = walk(client, lang, PATHS["under18"])
    assert 'href="https://takeitdown.ncmec.org/"' in page


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize(
    "outcome, link",
    [
        ("not_in_image", "/support"),
        ("not_intimate", "/support"),
        ("no_file", "/support?service=removal"),
    ],
)
def test_outcomes_that_cannot_continue_point_to_support(client, lang, outcome, link):
    page = walk(client, lang, PATHS[outcome])
    assert f'href="/{lang}{link}"' in page.split('data-testid="outcome"')[1]
    assert 'data-testid="start-case"' not in page


@pytest.mark.parametrize("lang", LOCALES)
def test_missing_answer_shows_the_error_on_the_same_question(client, lang):
    page = walk(client, lang, ["yes"])
    again = post(client, lang, question_form(page))
    assert QUESTION_ID.findall(again) == ["intimate"]
    assert 'class="error-summary"' in again and 'class="error-message"' in again
    assert question_form(again)["in_image"] == "yes"


@pytest.mark.parametrize("lang", LOCALES)
def test_back_returns_to_the_previous_question(client, lang):
    page = walk(client, lang, ["yes", "yes"])
    assert QUESTION_ID.findall(page) == ["age"]
    previous = post(client, lang, {**back_form(page), "back": "1"})
    assert QUESTION_ID.findall(previous) == ["intimate"]
    assert "intimate" not in question_form(previous)


def test_back_from_an_outcome_asks_the_last_question_again(client):
    page = walk(client, "en", PATHS["no_file"])
    previous = post(client, "en", {**back_form(page), "back": "1"})
    assert QUESTION_ID.findall(previous) == ["has_file"]


def test_tampered_answers_restart_at_the_first_unclear_question(client):
    page = walk(client, "en", [])
    data = {**question_form(page), "in_image": "maybe", "intimate": "yes"}
    assert QUESTION_ID.findall(post(client, "en", data)) == ["in_image"]


def test_a_post_without_csrf_token_is_refused(client):
    assert client.post("/en/eligibility", data={"answer": "yes"}).status_code == 400


def test_answers_are_not_kept_on_the_server_or_in_the_session(client, app):
    walk(client, "en", PATHS["eligible"])
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is not None:
        serializer = app.session_interface.get_signing_serializer(app)
        assert set(serializer.loads(cookie.value)) <= {"csrf_token"}
    fresh = client.get("/en/eligibility").get_data(as_text=True)
    assert QUESTION_ID.findall(fresh) == ["in_image"]
