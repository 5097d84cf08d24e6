"""The eligibility check: four yes/no questions, one per page, and where each answer leads.

Nothing is stored: the page carries earlier answers along (hidden fields or query
parameters) and calls :func:`next_step` with all of them to know what to show next.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ANSWERS = {"yes": _l("Yes"), "no": _l("No")}

# Outcomes: the check ends on one of these.
ELIGIBLE = "eligible"
UNDER18 = "under18"
NOT_IN_IMAGE = "not_in_image"
NOT_INTIMATE = "not_intimate"
NO_FILE = "no_file"
OUTCOMES = (ELIGIBLE, UNDER18, NOT_IN_IMAGE, NOT_INTIMATE, NO_FILE)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    hint: str
    rule: dict  # answer ("yes" / "no") -> next question id or outcome


QUESTIONS = (
    Question(
        id="in_image",
        text=_l("Are you the person in the image or video?"),
        hint=_l(
            "Only the person shown can ask for their own images to be blocked. "
            "If you are helping someone else, they need to do this themselves."
        ),
        rule={"yes": "intimate", "no": NOT_IN_IMAGE},
    ),
    Question(
        id="intimate",
        text=_l("Is the image or video intimate: nude, partly nude or sexual?"),
        hint=_l(
            "For example, you are naked, partly naked or in underwear, or it shows "
            "sexual activity or a sexual pose."
        ),
        rule={"yes": "age", "no": NOT_INTIMATE},
    ),
    Question(
        id="age",
        text=_l("Were you under 18 when it was taken?"),
        hint=_l(
            "If you are not sure, answer yes. There is a service made for images "
            "taken before the age of 18, and we will point you to it."
        ),
        rule={"yes": UNDER18, "no": "has_file"},
    ),
    Question(
        id="has_file",
        text=_l("Do you have the image or video on this device?"),
        hint=_l(
            "The fingerprint is made from the file itself, on your device. "
            "The file is never uploaded."
        ),
        rule={"yes": ELIGIBLE, "no": NO_FILE},
    ),
)

QUESTIONS_BY_ID = {question.id: question for question in QUESTIONS}


def next_step(answers):
    """The id of the next question to ask, or the outcome once the answers settle it.

    ``answers`` maps question ids to "yes" or "no" (a query string, for example).
    Questions are followed from the first; a missing or unexpected answer means that
    question is asked (again). Answers off the path taken are ignored.
    """
    return _walk(answers)[1]


def answered(answers):
    """``(question, answer)`` pairs on the path to the next step, in order.

    These are the answers a page must carry along (as hidden fields) and may show
    with a "change" link; answers off the path are dropped.
    """
    return _walk(answers)[0]


def _walk(answers):
    path = []
    step = QUESTIONS[0].id
    while step not in OUTCOMES:
        question = QUESTIONS_BY_ID[step]
        answer = answers.get(step)
        if answer not in question.rule:
            break
        path.append((question, answer))
        step = question.rule[answer]
    return path, step
