"""The order page's lines: what can be returned, on what terms, for what replacement.

Each line's eligibility is the structural one (delivered, not yet returned) narrowed by
the rules in force: a reason the rules refuse is not offered, a line every reason of
which is refused says the rule's own words, and a method a rule imposes is said on the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.catalogue.exchange_options import ExchangeOption, exchange_options
from returns_service.orders.models import Order, OrderLine
from returns_service.returns.eligibility import LineEligibility, order_eligibility
from returns_service.returns.preview import ReasonTerms, line_terms
from rules.actions import ExchangeScope


@dataclass(frozen=True)
class TermsGroup:
    """Reasons that share the same terms, shown once."""

    reasons: list[str]
    terms: ReasonTerms


@dataclass
class LineView:
    """One order line as the order page shows it."""

    line: OrderLine
    returnable: int
    #: Why nothing can be returned, by language; None when something can.
    why_not: dict[str, str] | None
    reasons: list[str] = field(default_factory=list)
    terms: dict[str, ReasonTerms] = field(default_factory=dict)
    options: list[ExchangeOption] = field(default_factory=list)
    #: The catalogue's product of the line, whose variants the picker lists first.
    product_external_id: str | None = None

    @property
    def eligible(self) -> bool:
        """Whether the customer may choose units of this line."""
        return self.returnable > 0

    @property
    def terms_json(self) -> str:
        """Each offered reason's amounts per unit and imposed method, for the page's script."""
        return json.dumps(
            {
                reason: {
                    "refund": t.refund_per_unit,
                    "fee": t.fee_per_unit,
                    "bonus": t.bonus_per_unit,
                    "method": t.method,
                }
                for reason in self.reasons
                if (t := self.terms[reason])
            }
        )

    @property
    def groups(self) -> list[TermsGroup]:
        """The offered reasons grouped by identical terms, in the reasons' order."""
        found: dict[tuple[object, ...], TermsGroup] = {}
        for reason in self.reasons:
            t = self.terms[reason]
            key = (t.outcome, t.method, t.postage_paid_by, t.refund_per_unit, t.bonus_per_unit)
            found.setdefault(key, TermsGroup([], t)).reasons.append(reason)
        return list(found.values())


def _view(line: OrderLine, e: LineEligibility, terms: dict[str, ReasonTerms]) -> LineView:
    if not e.eligible:
        return LineView(line, 0, e.message)
    offered = [r for r, t in terms.items() if t.outcome != "reject"]
    if not offered:
        refusal = next(iter(terms.values()))
        return LineView(line, 0, refusal.message or e.message)
    return LineView(line, e.returnable_quantity, None, offered, terms)


def order_lines(session: Session, order: Order, now: datetime, timezone: str) -> list[LineView]:
    """Every line of the order as the page shows it, with the terms the rules would set.

    The return window is the published rules' alone, as at filing.
    """
    eligibility = order_eligibility(session, order, now, None, timezone)
    open_ids = {e.line_id for e in eligibility if e.eligible}
    terms = line_terms(session, now, timezone, order, open_ids)
    by_id = {line.id: line for line in order.lines}
    views = [_view(by_id[e.line_id], e, terms.get(e.line_id, {})) for e in eligibility]
    for view in views:
        if view.eligible:
            found = exchange_options(session, view.line, _common_scope(view))
            view.options = found.options
            view.product_external_id = found.product.external_id if found.product else None
    return views


def _common_scope(view: LineView) -> ExchangeScope:
    """How far the picker reaches: another product only where every offered reason's rule
    allows it, so no replacement shown is refused at filing for its reason."""
    scopes = {view.terms[r].exchange_scope for r in view.reasons}
    return scopes.pop() if len(scopes) == 1 else ExchangeScope.SAME_PRODUCT
