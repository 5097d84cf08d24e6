"""Bad input gets a 4xx with the usual message, never a 500, and writes nothing.

The named regressions first, then a hypothesis fuzz test that posts random forms and
JSON to every endpoint on both databases.
"""

import json

import pytest
from case_helpers import case_body, create_case, csrf_token, post_case, sign_in, snapshot
from conftest import csrf_token_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openncii import cases, mail, partners
from openncii.models import Case, CaseHash, Change
from test_mail import inbox  # noqa: F401  (fixture)


def post_json(client, data):
    return client.post(
        "/api/cases",
        data=data,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )


def test_deeply_nested_json_is_a_400(storage_app):
    client = storage_app.test_client()
    before = snapshot(storage_app)
    response = post_json(client, "[" * 50_000 + "]" * 50_000)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"].startswith("Send a JSON object")
    assert snapshot(storage_app) == before


def test_pin_with_a_lone_surrogate_is_a_400(storage_app):
    client = storage_app.test_client()
    before = snapshot(storage_app)
    body = json.dumps(case_body()).replace('"pin": "', '"pin": "\\ud800', 1)
    response = post_json(client, body)
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"message": "Choose a PIN.", "field": "pin"}]
    assert snapshot(storage_app) == before


def test_huge_list_of_empty_hashes_gets_one_short_answer(storage_app):
    client = storage_app.test_client()
    before = snapshot(storage_app)
    body = json.dumps({"pin": "quiet-harbour-4417", "consent": True, "hashes": [{}] * 100_000})
    response = post_json(client, body)
    assert response.status_code == 400 and len(response.data) < 1000
    assert response.get_json()["errors"] == [{"message": "A case can hold at most 20 files."}]
    assert snapshot(storage_app) == before


def test_many_bad_hashes_get_a_bounded_list(storage_app):
    client = storage_app.test_client()
    body = {"pin": "quiet-harbour-4417", "consent": True, "hashes": [0] * 2000}
    response = post_case(client, body)
    errors = response.get_json()["errors"]
    assert response.status_code == 400 and len(errors) == cases.MAX_PROBLEMS
    assert errors[-1] == {"message": "This entry is not a hash.", "index": cases.MAX_PROBLEMS - 1}


def test_eligibility_post_with_every_answer_shows_the_outcome(storage_app):
    client = storage_app.test_client()
    token = csrf_token_of(client.get("/en/eligibility").get_data(as_text=True))
    answers = {"in_image": "yes", "intimate": "yes", "age": "no", "has_file": "yes"}
    for extra in [{}, {"answer": "no"}]:
        response = client.post("/en/eligibility", data={"csrf_token": token, **answers, **extra})
        assert response.status_code == 200
        assert 'href="/en/submit"' in response.get_data(as_text=True)


def test_case_number_is_mailed_once_even_if_the_cookie_is_replayed(storage_app, inbox):  # noqa: F811
    storage_app.config["SMTP_URL"] = inbox[1]
    client = storage_app.test_client()
    create_case(client)
    before_sending = client.get_cookie("session").value
    token = csrf_token(client)
    form = {"csrf_token": token, "address": "quiet.harbour-4417@example.net"}
    assert client.post("/en/submit/done/email", data=form).status_code == 302
    client.set_cookie("session", before_sending)  # the cookie from before: "not sent yet"
    assert client.post("/en/submit/done/email", data=form).status_code == 302
    assert len(inbox[0].messages) == 1


@pytest.mark.parametrize(
    "address",
    [
        "postmaster,me@example.org",
        "me@example.org, you@example.org",
        "me@example.org;you@example.org",
        "Me <me@example.org>",
        '"me"@example.org',
        "me@example.org\r\nBcc: you@example.org",
        "me\x00@example.org",
        "me @example.org",
        "me@example",
        "me@example..org",
        "me@-example.org",
    ],
)
def test_only_one_plain_recipient_is_accepted(address):
    assert not mail.is_address(address)


@pytest.mark.parametrize(
    "address", ["name@example.org", "a.b+tag@mail.example.co.uk", "josé@exämple.de"]
)
def test_ordinary_addresses_are_accepted(address):
    assert mail.is_address(address)


def test_a_list_of_addresses_is_refused_by_the_form(storage_app, inbox):  # noqa: F811
    storage_app.config["SMTP_URL"] = inbox[1]
    client = storage_app.test_client()
    create_case(client)
    form = {"csrf_token": csrf_token(client), "address": "postmaster,me@example.org"}
    assert client.post("/en/submit/done/email", data=form).status_code == 400
    assert inbox[0].messages == []


# ------------------------------------------------------------------ fuzzing

EXAMPLES_PER_ENDPOINT = 25  # per method, per database
FIELDS = [
    "csrf_token",
    "case_number",
    "pin",
    "confirm",
    "step",
    "saved",
    "address",
    "answer",
    "back",
    "in_image",
    "intimate",
    "age",
    "has_file",
    "q",
    "lang",
]
text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["yes", "no", "confirm", "y", "true", "false", "0", "1", "7K2Q-DM9X-RTB4-HZ3C", ""]
)
forms = st.dictionaries(st.sampled_from(FIELDS) | text, text, max_size=8)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | text
    | st.just("a" * 64),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(["pin", "consent", "hashes", "signalType", "hashValue", "quality"])
            | st.sampled_from(["frameOf", "lang", "hashes", "cursor", "feedback", "tags"])
            | text,
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)
# JSON texts no encoder produces: lone surrogates, deep nesting, huge numbers.
raw_json = st.sampled_from(
    [
        '{"pin": "\\ud800abcdefg", "consent": true, "hashes": [{}]}',
        '{"hashes": "\\udfff", "cursor": "\\ud800"}',
        "[" * 5000 + "]" * 5000,
        '{"quality": 1e999, "frameOf": -1e400}',
    ]
) | st.binary(max_size=200)
bodies = st.one_of(
    forms.map(lambda form: {"data": form}),
    json_values.map(lambda value: {"json": value}),
    raw_json.map(lambda raw: {"data": raw, "content_type": "application/json"}),
)


def endpoints(app):
    """(method, path) of every route, its variables filled with plausible values."""
    values = {"lang": "en", "country": "DE"}
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", values.get(name, "x"))
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def nothing_half_written():
    """Every case has its hashes, and every hash of a case its change-log entry."""
    assert not Case.select().where(~Case.id.in_(CaseHash.select(CaseHash.case))).exists()
    logged = Change.select(Change.signal)
    assert not CaseHash.select().where(~CaseHash.signal.in_(logged)).exists()


def test_fuzzing_every_endpoint_gives_no_5xx(storage_app):
    client = storage_app.test_client()
    number = create_case(client)
    with storage_app.app_context():
        _, key = partners.create("Fuzzy")
    assert sign_in(client, number).status_code == 302  # so the case pages are reached too
    storage_app.config.update(WTF_CSRF_ENABLED=False, SMTP_URL="")
    auth = {"Ocp-Apim-Subscription-Key": key, "x-functions-key": key}
    routes = endpoints(storage_app)
    assert len(routes) >= 15

    for method, path in routes:
        fuzz_route(storage_app, client, method, path, auth)()


def fuzz_route(app, client, method, path, auth):
    """A hypothesis test of one route: random body, query and credentials; no 5xx."""

    @settings(
        max_examples=EXAMPLES_PER_ENDPOINT,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies, query=forms, signed=st.booleans())
    def fuzz(body, query, signed):
        headers = auth if signed else {}
        response = client.open(path, method=method, query_string=query, headers=headers, **body)
        assert response.status_code < 500, (method, path, response.status_code)
        with app.app_context():
            nothing_half_written()

    return fuzz
