"""Numbers of the desk: survey answers by reason, product, kind, priority and agent, and the
share of promised response times met."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cases.models import CaseFile
from returns_service.cases.policy import CasePolicy
from returns_service.cases.promises_kept import PROMISES, Kept, promises_kept
from returns_service.cases.read_model import Case, load_cases
from returns_service.cases.triage import triage

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


def _shares(kept: list[Kept]) -> dict[str, Any]:
    """Per promise, the cases that met and missed it and the share met (None when none
    was judged yet)."""
    shares = {}
    for promise in PROMISES:
        met = sum(k.met[promise] for k in kept)
        missed = sum(k.missed[promise] for k in kept)
        shares[promise] = {
            "met": met,
            "missed": missed,
            "share_met": round(met / (met + missed), 4) if met + missed else None,
        }
    return shares


def case_numbers(
    session: Session, since: datetime, until: datetime, now: datetime
) -> dict[str, Any]:
    """Promises met for the cases that arrived in the period, overall and per kind: of the
    cases answered or decided, or whose due time has passed while the desk owed the step,
    the share on time."""
    by_kind = promises_kept(session, since, until, now)
    return {
        "cases": sum(k.cases for k in by_kind.values()),
        "promises": _shares(list(by_kind.values())),
        "by_kind": {kind.value: _shares([by_kind[kind]]) for kind in sorted(by_kind)},
    }
