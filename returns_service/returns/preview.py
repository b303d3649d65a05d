"""What the rules in force would decide for a line, before the customer files.

The order page and the exchange picker ask the same rule set, with the same facts, that
filing asks (:mod:`returns_service.returns.filing`), so nothing the page offers is then
refused for the window or a final sale, and the method or fee a rule imposes is said
before the customer confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

import rules
from returns_service.orders.models import Order, OrderLine
from returns_service.refunds.operations import share_of_line
from returns_service.returns.facts import CustomerHistory, customer_history, line_facts
from returns_service.returns.models import Resolution, ReturnLine
from returns_service.rulesets.operations import active_version, compiled
from rules.actions import ExchangeScope
from rules.facts import RETURN_REASONS


def probe(
    rule_set: rules.CompiledRuleSet,
    history: CustomerHistory,
    now: datetime,
    timezone: str,
    order_line: OrderLine,
    reason: str,
    resolution: Resolution,
) -> rules.Decision:
    """The decision filing would make for one unit of the line, for this reason."""
    line = ReturnLine(quantity=1, reason=reason, photos=[])  # never added to the session
    facts = line_facts(order_line.order, order_line, line, resolution.value, history, now, timezone)
    return rule_set.decide(facts)


@dataclass(frozen=True)
class ReasonTerms:
    """What the rules decide for one reason: the outcome and the terms a customer reads."""

    reason: str
    outcome: str
    #: pickup or dropoff where the rule requires one; None: the customer chooses.
    method: str | None
    #: shop or customer, where the rule says who pays the postage.
    postage_paid_by: str | None
    #: What one unit gives back as a refund after the rule's fee, and the fee.
    refund_per_unit: int
    fee_per_unit: int
    #: The store credit bonus on one unit, when store credit is chosen.
    bonus_per_unit: int
    #: Resolutions the rule allows; empty: all.
    resolutions: tuple[str, ...]
    #: The rule's words to the customer, by language (a refusal's reason).
    message: dict[str, str] | None
    #: How far an exchange for this reason may reach (the rule decided for an exchange).
    exchange_scope: ExchangeScope = ExchangeScope.SAME_PRODUCT


def _terms(
    decision: rules.Decision, exchange: rules.Decision, reason: str, unit_value: int
) -> ReasonTerms:
    action = decision.action
    refused = exchange.outcome is rules.Outcome.REJECT
    fee = action.restocking_fee.of(unit_value) if action.restocking_fee else 0
    return ReasonTerms(
        reason=reason,
        outcome=decision.outcome.value,
        method=action.return_method.value if action.return_method else None,
        postage_paid_by=(
            action.return_shipping_paid_by.value if action.return_shipping_paid_by else None
        ),
        refund_per_unit=unit_value - fee,
        fee_per_unit=fee,
        bonus_per_unit=action.bonus_credit.of(unit_value) if action.bonus_credit else 0,
        resolutions=tuple(r.value for r in action.allowed_resolutions or ()),
        message=decision.message,
        exchange_scope=ExchangeScope.SAME_PRODUCT
        if refused
        else exchange.action.exchange_scope or ExchangeScope.SAME_PRODUCT,
    )


def line_terms(
    session: Session,
    now: datetime,
    timezone: str,
    order: Order,
    line_ids: set[int],
) -> dict[int, dict[str, ReasonTerms]]:
    """For each line asked, the terms of every reason a customer may give: as a refund, and
    how far an exchange may reach."""
    rule_set = compiled(active_version(session, now))
    history = customer_history(session, order.customer_id, now)
    found: dict[int, dict[str, ReasonTerms]] = {}
    for order_line in order.lines:
        if order_line.id not in line_ids:
            continue
        unit_value = share_of_line(order_line.total, order_line.quantity, 1)
        found[order_line.id] = {
            reason: _terms(
                probe(rule_set, history, now, timezone, order_line, reason, Resolution.REFUND),
                probe(rule_set, history, now, timezone, order_line, reason, Resolution.EXCHANGE),
                reason,
                unit_value,
            )
            for reason in RETURN_REASONS
        }
    return found
