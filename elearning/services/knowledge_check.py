"""Evaluating an answer to an ungraded knowledge check: nothing is stored, only feedback is returned."""

from __future__ import annotations

from dataclasses import dataclass

from ..content import Option, Question
from ..i18n import _l
from .errors import InvalidInput


@dataclass(frozen=True)
class CheckResult:
    """The options the learner chose, with their feedback, and whether the answer as a whole is right."""

    question: Question
    chosen: tuple[Option, ...]

    @property
    def correct(self) -> bool:
        return frozenset(o.id for o in self.chosen) == self.question.correct_ids

    @property
    def chosen_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.chosen)


def evaluate(question: Question, chosen_ids: list[str]) -> CheckResult:
    """Feedback for the chosen options; InvalidInput when the choice is empty, unknown or too many."""
    if not chosen_ids:
        raise InvalidInput(_l("Choose an answer first."))
    if not question.multiple and len(set(chosen_ids)) > 1:
        raise InvalidInput(_l("This question takes one answer."))
    options = []
    for option_id in dict.fromkeys(chosen_ids):
        option = question.option(option_id)
        if option is None:
            raise InvalidInput(_l("The answer %(option)s is not an option of this question.", option=option_id))
        options.append(option)
    return CheckResult(question, tuple(options))
