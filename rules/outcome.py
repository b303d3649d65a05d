"""A request's outcome, derived from the decisions on its lines.

A request is decided line by line, and the lines combine as follows:

- if any line needs a person (`review`), the whole request goes to `review`, so that
  staff see the request as the customer filed it;
- if every line is rejected, the request is `rejected`;
- otherwise it is `approved`: rejected lines are left out of the return and keep their
  message for the customer, keep-the-item lines are refunded without a parcel, and the
  approved lines are sent back.
"""

from collections.abc import Iterable
from enum import StrEnum

from rules.actions import Outcome
from rules.decision import Decision


class RequestOutcome(StrEnum):
    """The outcome of a whole request."""

    APPROVED = "approved"
    REJECTED = "rejected"
    REVIEW = "review"


def combine(decisions: Iterable[Decision]) -> RequestOutcome:
    """Return the request's outcome from its lines' decisions; raises ValueError if none."""
    outcomes = [decision.outcome for decision in decisions]
    if not outcomes:
        raise ValueError("a request has at least one line")
    if Outcome.REVIEW in outcomes:
        return RequestOutcome.REVIEW
    if all(outcome is Outcome.REJECT for outcome in outcomes):
        return RequestOutcome.REJECTED
    return RequestOutcome.APPROVED
