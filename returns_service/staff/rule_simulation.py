"""Trying a draft on past requests from the rules page: what would change, and the money."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue

from returns_service.api.rules import run_simulation
from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.errors import DomainError
from returns_service.pages import money
from returns_service.rulesets.models import RuleSetStatus
from returns_service.staff.rule_labels import choice_label
from returns_service.staff.rules_forms import SimulateForm
from returns_service.staff.rules_view import rules_page_view, version_of
from rules.facts import Scope

#: How many changed requests the page lists.
LISTED = 200


def _case_link(scope: Scope, request_id: Any) -> str:
    if scope is Scope.CANCELLATION:
        return f"{url_for('staff_pages.queue')}cancellations/{request_id}"
    return url_for("staff_pages.show_return", rma=request_id)


def shown_report(report: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The simulation as the page shows it: labelled outcomes, links and money written out."""
    for change in report["sample"]:
        change["link"] = _case_link(scope, change["request_id"])
        change["before_label"] = choice_label(change["before"])
        change["after_label"] = choice_label(change["after"])
        change["value"] = money(change["amount"], change["currency"]) if change["currency"] else ""
        change["paid_as_label"] = choice_label(change["paid_as"]) if change["paid_as"] else ""
    for move in report["transitions"]:
        move["from_label"] = choice_label(move["from"])
        move["to_label"] = choice_label(move["to"])
    for change in report["money"]:
        currency = change["currency"]
        change["paid_as_label"] = choice_label(change["paid_as"])
        change["more_text"] = money(change["more"], currency)
        change["less_text"] = money(change["less"], currency)
        sign = "+" if change["net"] > 0 else "−" if change["net"] < 0 else ""
        change["net_text"] = sign + money(abs(change["net"]), currency)
    return report


@staff_required(Role.ADMIN)
def simulate_draft(scope: str, draft_id: int) -> ResponseReturnValue:
    """Decide past requests again with a draft: the changed ones listed, and the money."""
    kind = Scope(scope)
    form = SimulateForm()
    try:
        draft = version_of(kind, draft_id, RuleSetStatus.DRAFT)
    except DomainError as error:
        return rules_page_view(kind, error.status.value, error=error.message)
    if not form.validate():
        errors = [str(e) for field in form for e in field.errors]
        return rules_page_view(kind, 422, error=" ".join(errors), editing=draft)
    last, since, until = form.period()
    try:
        report = run_simulation(
            draft.document, last=last, since=since, until=until, sample_size=LISTED, link_base=""
        )
    except DomainError as error:
        return rules_page_view(kind, error.status.value, error=error.message, editing=draft)
    return rules_page_view(
        kind,
        editing=draft,
        simulation=shown_report(report, kind),
        simulated=draft,
        listed=LISTED,
        simulate_form=form,
    )
