"""Escalating cases whose promise was missed: flagged, agents e-mailed, a webhook sent.

Each missed promise (first response, resolution) is escalated once per case: the case
file remembers when, so the job can run every few seconds on every worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.cases.operations import case_file
from returns_service.cases.policy import CasePolicy
from returns_service.cases.read_model import Case, Waiting, load_cases
from returns_service.cases.triage import triage
from returns_service.notifications.desk import email_desk
from returns_service.notifications.webhooks import queue_webhook

_FLAGS = {"first_response": "response_escalated_at", "resolution": "resolution_escalated_at"}


def case_summary(case: Case) -> dict[str, Any]:
    """The JSON-friendly facts of a triaged case that webhooks and e-mails carry."""
    return {
        "case": case.ref,
        "kind": case.kind.value,
        "status": case.status,
        "reference": case.reference,
        "order_number": case.order_number,
        "priority": case.priority.value,
        "reasons": case.reasons,
        "overdue_for": case.overdue_for,
        "first_response_due_at": _iso(case.first_response_due_at),
        "resolution_due_at": _iso(case.resolution_due_at),
        "assignee": case.assignee,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def escalate_overdue(session: Session, now: datetime, policy: CasePolicy) -> list[Case]:
    """Flag newly overdue cases, e-mail the agents one list, send ``case.overdue`` for each."""
    cases = [c for c in load_cases(session) if c.waiting_on is not Waiting.CLOSED]
    escalated = []
    for case in triage(cases, policy, now):
        fresh = [
            promise
            for promise in case.overdue_for
            if case.file is None or getattr(case.file, _FLAGS[promise]) is None
        ]
        if not fresh:
            continue
        record = case_file(session, case, now, lock=True)
        fresh = [promise for promise in fresh if getattr(record, _FLAGS[promise]) is None]
        if not fresh:  # another worker got there first
            continue
        for promise in fresh:
            setattr(record, _FLAGS[promise], now)
        summary = case_summary(case) | {"escalated_for": fresh}
        queue_webhook(session, now, "case.overdue", summary)
        escalated.append(case)
    if escalated:
        email_desk(
            session, now, "cases_overdue", {"cases": [_mail_line(c, policy) for c in escalated]}
        )
    return escalated


def _mail_line(case: Case, policy: CasePolicy) -> Mapping[str, Any]:
    return {
        "case": case.ref,
        "kind": case.kind.value,
        "reference": case.reference,
        "order_number": case.order_number,
        "priority": case.priority.value,
        "overdue_for": case.overdue_for,
        "due_at": (
            case.first_response_due_at
            if "first_response" in case.overdue_for
            else case.resolution_due_at
        )
        .astimezone(policy.calendar.timezone)
        .strftime("%Y-%m-%d %H:%M"),
    }
