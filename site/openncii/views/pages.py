"""Public helpdesk pages: home, FAQ, eligibility check, support directory, privacy."""

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import Form
from ..helpdesk import content, eligibility, faq, support
from ..i18n import current_locale, localize
from ..limits import limiter
from ..pagecache import cached_page

bp = localize(Blueprint("pages", __name__, url_prefix="/<lang>"))
limiter.exempt(bp)  # nothing here to brute-force; skipping the check keeps pages cheap


class EligibilityForm(Form):
    """One yes/no question of the eligibility check."""

    answer = RadioField(
        choices=[SelectChoice(value, label) for value, label in eligibility.ANSWERS.items()],
        validators=[InputRequired(message=_l("Choose yes or no."))],
    )


@bp.get("/")
@cached_page
def home():
    return render_template("pages/home.html")


@bp.get("/faq")
@cached_page
def faq_page():
    topics, query = content.faq_topics(current_locale()), faq_query()
    shown = faq.search(topics, query, content.search_rules(current_locale())) if query else topics
    return render_template("pages/faq.html", topics=topics, shown=shown, query=query)


@bp.get("/faq/search.json")
def faq_search():
    """The anchors of the questions matching ``q``: the search box asks this as you type."""
    lang = current_locale()
    found = faq.search(content.faq_topics(lang), faq_query(), content.search_rules(lang))
    return jsonify(questions=[question.slug for topic in found for question in topic.questions])


def faq_query():
    return request.args.get("q", "").strip()[:100]


@bp.route("/eligibility", methods=["GET", "POST"])
def eligibility_check():
    """One question per page; earlier answers travel in hidden fields, never stored."""
    answers = {
        question.id: request.form[question.id]
        for question in eligibility.QUESTIONS
        if question.id in request.form
    }
    asked = eligibility.next_step(answers)
    form = EligibilityForm()
    if "back" in request.form:
        answers = {question.id: answer for question, answer in eligibility.answered(answers)[:-1]}
    elif asked not in eligibility.OUTCOMES and form.validate_on_submit():
        answers[asked] = form.answer.data
    elif request.method == "POST" and asked not in eligibility.OUTCOMES:
        return render_question(asked, answers, form)
    step = eligibility.next_step(answers)
    if step in eligibility.OUTCOMES:
        return render_template(
            "pages/eligibility_outcome.html", outcome=step, answered=eligibility.answered(answers)
        )
    return render_question(step, answers, EligibilityForm(formdata=None))


def render_question(step, answers, form):
    question = eligibility.QUESTIONS_BY_ID[step]
    return render_template(
        "pages/eligibility_question.html",
        question=question,
        form=form,
        answered=eligibility.answered(answers),
        number=eligibility.QUESTIONS.index(question) + 1,
        total=len(eligibility.QUESTIONS),
    )


@bp.get("/privacy")
@cached_page
def privacy():
    return render_template("pages/privacy.html")


# Country codes are two letters (or "001", worldwide) and organisation slugs at least
# four characters (support.MIN_SLUG_LENGTH), so /support/<country> (as published) and
# /support/<slug> never collide; /support/country/<CC> is the canonical country page.
@bp.get("/support", defaults={"country": None})
@bp.get("/support/<string(maxlength=3):country>")
@bp.get("/support/country/<string(maxlength=3):country>", endpoint="support_country")
@cached_page
def support_directory(country):
    directory = current_app.extensions["openncii_support"]
    country = (country or request.args.get("country", "")).upper() or None
    if country and not support.is_country(country):
        abort(404)
    language = request.args.get("language") or None
    service = request.args.get("service") or None
    organisations = support.filter_organisations(
        directory,
        country=country,
        language=language,
        service=service,
        reader_language=current_locale(),
    )
    locale = get_locale()
    return render_template(
        "pages/support.html",
        organisations=organisations,
        country=country,
        language=language,
        service=service,
        country_choices=support.country_options(directory, locale),
        language_choices=support.language_options(directory, locale),
        service_labels=support.SERVICE_LABELS,
        locale_data=locale,
        page_link=country and public_url("pages.support_country", country=country),
    )


@bp.get(f"/support/<string(minlength={support.MIN_SLUG_LENGTH}):slug>")
@cached_page
def support_organisation(slug):
    org = support.find_organisation(current_app.extensions["openncii_support"], slug)
    if org is None:
        abort(404)
    return render_template(
        "pages/support_organisation.html",
        org=org,
        service_labels=support.SERVICE_LABELS,
        locale_data=get_locale(),
        page_link=public_url("pages.support_organisation", slug=slug),
    )


def public_url(endpoint, **values):
    """The address to share for a page: ``PUBLIC_URL`` + path when configured.

    Never built from the request's Host header: pages are cached per path, so a forged
    Host must not end up in a link that NGOs copy. Without ``PUBLIC_URL`` the path is
    shown and the link box's script adds the address the reader sees.
    """
    path = url_for(endpoint, **values)
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + path if base else path
