"""Filing a return: the customer's lines checked, each decided by the rules, the request's
outcome derived from its lines, and the first step taken at once."""

from __future__ import annotations

import dataclasses
import secrets
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, joinedload

import rules
from returns_service.errors import Conflict, InvalidInput
from returns_service.orders.lines import named_line
from returns_service.orders.models import Order
from returns_service.plain_inserts import insert_new_with_children
from returns_service.returns import exchanges, notices, states
from returns_service.returns.facts import line_facts, order_past
from returns_service.returns.models import (
    LineOutcome,
    Resolution,
    ReturnLine,
    ReturnMethod,
    ReturnRequest,
    ReturnStatus,
    line_reasons_of,
)
from returns_service.returns.operations import approve, record_rejection
from returns_service.returns.quantities import returnable_quantities
from returns_service.shop import ShopSettings
from rules.actions import Upcharge

_RMA_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"

#: What filing reads of the order with its lock (customer, lines); its parcels come with
#: what :func:`order_past` reads next.
ORDER_LOADING = (joinedload(Order.customer), joinedload(Order.lines))


def _new_rma() -> str:
    return "R-" + "".join(secrets.choice(_RMA_ALPHABET) for _ in range(8))


def _line_inputs(
    session: Session,
    order: Order,
    lines: list[dict[str, Any]],
    resolution: Resolution,
    returned: Counter[int],
) -> list[ReturnLine]:
    by_id = {line.id: line for line in order.lines}
    returnable = returnable_quantities(session, order, returned)
    asked: dict[int, int] = {}
    built = []
    for index, data in enumerate(lines):
        line = named_line(order, by_id, data["line_id"], index)
        asked[line.id] = asked.get(line.id, 0) + data["quantity"]
        if asked[line.id] > returnable[line.id]:
            raise Conflict(
                f"line {line.id} ({line.title}) has {returnable[line.id]} returnable units, "
                f"{asked[line.id]} asked for",
                field=f"lines.{index}.quantity",
                code="too_many_to_return",
                left=returnable[line.id],
            )
        exchange_sku = None
        if resolution is Resolution.EXCHANGE:
            exchange_sku = exchanges.chosen_replacement(session, line, data, index)
        built.append(
            ReturnLine(
                order_line_id=line.id,
                order_line=line,
                quantity=data["quantity"],
                reason=data["reason"],
                comment=data.get("comment") or "",
                exchange_sku=exchange_sku,
                photos=list(data.get("photos", [])),
            )
        )
    return built


def open_return(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    order: Order,
    lines: list[dict[str, Any]],
    resolution: Resolution,
    method: dict[str, Any],
    actor: str,
    locale: str,
) -> ReturnRequest:
    """File a return and let the rules decide it at once.

    The caller must have locked the order row: returnable quantities are computed under
    that lock, so two requests for the same units cannot both pass.
    """
    if order.cancelled_at is not None:
        raise Conflict(
            f"order {order.number} was cancelled; there is nothing to return",
            code="order_cancelled",
        )
    past = order_past(session, order, now, new_lines=len(lines))
    return_lines = _line_inputs(session, order, lines, resolution, past.returned)
    version = past.rules
    request = ReturnRequest(
        rma=_new_rma(),
        order_id=order.id,
        order=order,
        resolution=resolution,
        method=ReturnMethod(method["type"]),
        method_details={k: v for k, v in method.items() if k != "type"},
        locale=locale,
        rule_set_version_id=version.id,
        created_by=actor,
        created_at=now,
        **settings.promised(now),
        line_reasons=line_reasons_of(return_lines),
        lines=return_lines,
        # Known to be none yet: set, so reading them does not ask the database.
        pickup=None,
        exchanges=[],
    )
    decisions = []
    for return_line in return_lines:
        facts = line_facts(
            order,
            return_line.order_line,
            return_line,
            resolution.value,
            past.history,
            now,
            settings.timezone,
        )
        decision = _terms_checked(
            session, version.rules.decide(facts), return_line, resolution, index=len(decisions)
        )
        return_line.outcome = LineOutcome(decision.outcome.value)
        # The full facts are kept, not only those read: a simulation of another rule set
        # may read others.
        return_line.decision = decision.as_dict() | {"version": version.number, "facts": facts}
        decisions.append(decision)
    _method_checked(decisions, request.method)
    outcome = rules.combine(decisions)
    request.decision = {
        "outcome": outcome.value,
        "version": version.number,
        "rules": [d.rule for d in decisions],
    }
    # Written decided: the request and its lines are inserted with their decisions rather
    # than inserted and then updated; with their keys drawn, at the flush, as the rest of
    # this step leaves them.
    if past.keys is not None:
        request.id, line_keys = past.keys
        for return_line, key in zip(return_lines, line_keys, strict=True):
            return_line.id = key
    insert_new_with_children(session, request, return_lines, "return_id")
    states.record_filed(session, request, now=now, actor=actor)
    notices.return_received(
        session, now, settings, request, in_review=outcome is rules.RequestOutcome.REVIEW
    )
    if outcome is rules.RequestOutcome.REVIEW:
        reviews = [d.action for d in decisions if d.outcome is rules.Outcome.REVIEW]
        reasons = [action.review_reason_in("en") for action in reviews]
        states.move(
            session,
            request,
            ReturnStatus.REVIEW,
            now=now,
            actor="rules",
            message="; ".join(r for r in reasons if r),
            rules=[d.rule for d in decisions],
            # Each reason as the rules give it, so staff read it in their own language.
            review_reasons=[action.as_dict().get("review_reason") for action in reviews],
        )
    elif outcome is rules.RequestOutcome.REJECTED:
        message = decisions[0].message or {}
        record_rejection(
            session,
            now,
            request,
            actor="rules",
            message=message.get(locale, ""),
            rule=decisions[0].rule,
        )
    else:
        approve(session, now, settings, request, actor="rules")
    return request


def _method_checked(decisions: list[rules.Decision], chosen: ReturnMethod) -> None:
    """Refuse (422, nothing filed) a way of sending the parcel back the rules do not allow.

    A rule may require a pickup or a drop-off; the customer's choice is never overridden,
    so a request whose lines need another way, or two different ways, is refused for the
    customer to choose again (or split the request).
    """
    required = {
        d.action.return_method.value
        for d in decisions
        if d.outcome is not rules.Outcome.REJECT and d.action.return_method
    }
    if len(required) > 1:
        raise InvalidInput(
            "the chosen lines go back in different ways (pickup and drop-off); "
            "file them as separate requests",
            field="method.type",
            code="methods_differ",
        )
    if required and chosen.value not in required:
        needed = required.pop()
        raise InvalidInput(
            f"the rules require {needed} for these lines, not {chosen.value}",
            field="method.type",
            code=f"{needed}_required",
        )


def _terms_checked(
    session: Session,
    decision: rules.Decision,
    line: ReturnLine,
    resolution: Resolution,
    *,
    index: int,
) -> rules.Decision:
    """Hold a decision to its terms: the resolutions it allows, and a dearer replacement.

    A resolution the rule does not offer is refused (422, nothing filed) so the customer can
    choose again; an approved exchange whose replacement costs more, under a rule that
    collects the difference, waits for a person to collect it.
    """
    allowed = decision.action.allowed_resolutions
    if allowed and resolution.value not in {r.value for r in allowed}:
        offered = ", ".join(r.value for r in allowed)
        raise InvalidInput(
            f"{line.order_line.title} can be returned for {offered}, not {resolution.value}",
            field="resolution",
            code="resolution_not_offered",
        )
    if resolution is Resolution.EXCHANGE and decision.outcome is not rules.Outcome.REJECT:
        exchanges.check_scope(session, line, decision.action.exchange_scope, index)
    if resolution is not Resolution.EXCHANGE or decision.outcome is not rules.Outcome.APPROVE:
        return decision
    upcharge = exchanges.price_difference(session, line, line.exchange_sku or "")
    policy = decision.action.exchange_upcharge
    if upcharge <= 0 or policy is Upcharge.WAIVE:
        return decision
    reason = (
        f"line {index + 1}: the replacement {line.exchange_sku} costs {upcharge} more "
        f"({line.request.order.currency} minor units); collect it, then approve"
    )
    return dataclasses.replace(
        decision,
        outcome=rules.Outcome.REVIEW,
        action=dataclasses.replace(
            decision.action,
            outcome=rules.Outcome.REVIEW,
            review_reason=reason,
        ),
    )
