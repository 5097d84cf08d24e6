"""What is wrong with a request, as codes: the one way both JSON APIs report problems.

Domain modules (:mod:`openncii.cases`, :mod:`openncii.exchange`) check what they are
given and raise :class:`Invalid` with a list of :class:`Problem` codes; they never
write a message. The views turn codes into words at the edge, one table per audience
(:func:`openncii.errors.invalid_answer`): localized sentences for people using the
case API, fixed English for partner platforms' programs.

Where a problem is: ``index`` is its position in the body's list of items (the
case's ``hashes``, a partner's ``hashFeedbacks``...), ``field`` the field at fault,
within that item when ``index`` is given (``"hashValue"``,
``"CSPFeedbacks[0].feedbackValue"``), else in the body or query (``"pin"``,
``"pageSize"``).
"""

from dataclasses import dataclass
from dataclasses import field as default

MAX_PROBLEMS = 50  # reported for one request; validation stops there


@dataclass(frozen=True)
class Problem:
    """One reason a request was refused: a code, where it is, and details for the message."""

    code: str
    index: int | None = None
    field: str | None = None
    params: dict = default(default_factory=dict)


class Invalid(Exception):
    """A request refused for ``problems`` (at most MAX_PROBLEMS); nothing was stored.

    ``items`` names the body's list that the problems' indexes count in, for messages
    that spell out a location (``hashFeedbacks[3].hashValue``).
    """

    status = 400

    def __init__(self, problems, items=None):
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = problems[:MAX_PROBLEMS]
        self.items = items


def refuse_if(problems, items=None):
    """Raise :class:`Invalid` if any problems were found."""
    if problems:
        raise Invalid(problems, items)
