"""The eligibility rules: every path through the four questions."""

import pytest
from openncii.helpdesk.eligibility import (
    ANSWERS,
    OUTCOMES,
    QUESTIONS,
    QUESTIONS_BY_ID,
    answered,
    next_step,
)

PATHS = [
    ({}, "in_image"),
    ({"in_image": "no"}, "not_in_image"),
    ({"in_image": "yes"}, "intimate"),
    ({"in_image": "yes", "intimate": "no"}, "not_intimate"),
    ({"in_image": "yes", "intimate": "yes"}, "age"),
    ({"in_image": "yes", "intimate": "yes", "age": "yes"}, "under18"),
    ({"in_image": "yes", "intimate": "yes", "age": "no"}, "has_file"),
    ({"in_image": "yes", "intimate": "yes", "age": "no", "has_file": "no"}, "no_file"),
    ({"in_image": "yes", "intimate": "yes", "age": "no", "has_file": "yes"}, "eligible"),
]


@pytest.mark.parametrize("answers, expected", PATHS)
def test_every_path(answers, expected):
    assert next_step(answers) == expected


@pytest.mark.parametrize("answers, expected", PATHS)
def test_answered_lists_the_path_taken(answers, expected):
    path = answered(answers)
    assert [(question.id, answer) for question, answer in path] == list(answers.items())


def test_every_outcome_is_reachable():
    assert {expected for _, expected in PATHS} >= set(OUTCOMES)


def test_unexpected_answer_asks_the_question_again():
    assert next_step({"in_image": "maybe"}) == "in_image"
    assert next_step({"in_image": "yes", "intimate": ""}) == "intimate"
    assert answered({"in_image": "yes", "intimate": "YES"})[-1][0].id == "in_image"


def test_later_answers_cannot_skip_earlier_questions():
    assert next_step({"has_file": "yes"}) == "in_image"
    assert next_step({"in_image": "yes", "age": "no", "has_file": "yes"}) == "intimate"


def test_answers_off_the_path_are_ignored():
    answers = {"in_image": "no", "intimate": "yes", "age": "no", "has_file": "yes"}
    assert next_step(answers) == "not_in_image"
    assert [question.id for question, _ in answered(answers)] == ["in_image"]


def test_an_earlier_change_reroutes():
    answers = {"in_image": "yes", "intimate": "yes", "age": "no", "has_file": "yes"}
    assert next_step({**answers, "age": "yes"}) == "under18"


def test_questions_are_well_formed():
    assert [question.id for question in QUESTIONS] == ["in_image", "intimate", "age", "has_file"]
    assert not set(QUESTIONS_BY_ID) & set(OUTCOMES)
    for question in QUESTIONS:
        assert set(question.rule) == set(ANSWERS)
        assert all(step in QUESTIONS_BY_ID or step in OUTCOMES for step in question.rule.values())
        assert str(question.text) and str(question.hint)
