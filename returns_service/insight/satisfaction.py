"""Numbers of the desk: survey answers by reason, product, kind, priority and agent, and the
share of promised response times met."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cases.models import CaseFile
from returns_service.cases.policy import CasePolicy
from returns_service.cases.promise_facts import PromiseFacts, promise_facts
from returns_service.cases.read_model import Case, load_cases
from returns_service.cases.triage import Promises, promises_of, triage

UNASSIGNED = "(unassigned)"


def _summary(scores: list[int], scale: str) -> dict[str, Any]:
    count = len(scores)
    result: dict[str, Any] = {"answers": count, "average": round(sum(scores) / count, 2)}
    if scale == "nps":
        promoters = sum(1 for s in scores if s >= 9)
        detractors = sum(1 for s in scores if s <= 6)
        result["nps"] = round(100 * (promoters - detractors) / count, 1)
    else:
        # CSAT: the share answering 4 or 5.
        result["satisfied_share"] = round(sum(1 for s in scores if s >= 4) / count, 4)
    return result


def satisfaction(
    session: Session, since: datetime, until: datetime, policy: CasePolicy, now: datetime
) -> dict[str, Any]:
    """Survey answers given in the period, per scale, overall and by each dimension.

    A case about two reasons or products counts under each; priority is the one its reasons
    and state gave (aging depends on when one looks, so it is left out).
    """
    files = list(
        session.scalars(
            select(CaseFile).where(
                CaseFile.survey_answered_at >= since, CaseFile.survey_answered_at < until
            )
        )
    )
    subjects = [(f.subject_type, f.subject_id) for f in files]
    cases = {
        (c.subject_type, c.subject_id): c
        for c in triage(load_cases(session, include_closed=True, subjects=subjects), policy, now)
    }
    result: dict[str, Any] = {}
    for scale in ("csat", "nps"):
        answered = [
            (f, cases[(f.subject_type, f.subject_id)])
            for f in files
            if f.survey_scale == scale and (f.subject_type, f.subject_id) in cases
        ]
        if not answered:
            continue
        result[scale] = {
            "overall": _summary([f.survey_score for f, _ in answered], scale),
            "by_reason": _grouped(answered, lambda c: c.reasons, scale),
            "by_product": _grouped(answered, lambda c: c.skus, scale),
            "by_kind": _grouped(answered, lambda c: [c.kind.value], scale),
            "by_priority": _grouped(answered, lambda c: [c.base_priority.value], scale),
            "by_agent": _grouped(answered, lambda c: [c.assignee or UNASSIGNED], scale),
        }
    return result


def _grouped(
    answered: list[tuple[CaseFile, Case]], keys: Any, scale: str
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for record, case in answered:
        for key in keys(case):
            groups[key].append(record.survey_score)
    return {key: _summary(scores, scale) for key, scores in sorted(groups.items())}


def promises_met(judged: Iterable[tuple[PromiseFacts, Promises]], now: datetime) -> dict[str, Any]:
    """Of the cases whose due time has come or which were answered, the share on time
    (each case with the promises :func:`promises_of` gave it)."""
    tally = {"first_response": [0, 0], "resolution": [0, 0]}
    for case, kept in judged:
        for promise, done, due in (
            ("first_response", case.first_responded_at, kept.first_response_due_at),
            ("resolution", case.resolved_at, kept.resolution_due_at),
        ):
            if done is not None:
                tally[promise][0 if done <= due else 1] += 1
            elif now > due and promise in kept.overdue_for:
                tally[promise][1] += 1
    return {
        promise: {
            "met": met,
            "missed": missed,
            "share_met": round(met / (met + missed), 4) if met + missed else None,
        }
        for promise, (met, missed) in tally.items()
    }


def case_numbers(
    session: Session, since: datetime, until: datetime, policy: CasePolicy, now: datetime
) -> dict[str, Any]:
    """Promises met for the cases that arrived in the period, overall and per kind."""
    judged = [
        (case, promises_of(case, policy, now)) for case in promise_facts(session, since, until)
    ]
    by_kind: dict[str, list[tuple[PromiseFacts, Promises]]] = defaultdict(list)
    for case, kept in judged:
        by_kind[case.kind.value].append((case, kept))
    return {
        "cases": len(judged),
        "promises": promises_met(judged, now),
        "by_kind": {kind: promises_met(by_kind[kind], now) for kind in sorted(by_kind)},
    }
