"""Priority from reasons and state, aging in business days, due times and the work list order."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from business_time import ShopCalendar
from returns_service.cases.policy import CasePolicy, Priority
from returns_service.cases.read_model import Case, CaseKind, Waiting
from returns_service.cases.triage import triage
from returns_service.config import DEFAULT_CASE_PRIORITIES
from returns_service.setting_values import parse_case_priorities

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def policy() -> CasePolicy:
    return CasePolicy(
        calendar=ShopCalendar.from_settings("Asia/Tokyo", "10:00-18:00", "12/29-1/3"),
        first_response_days=1,
        resolution_days=3,
        priorities=parse_case_priorities(DEFAULT_CASE_PRIORITIES),
        aging_days=2,
    )


def case(
    number: int,
    arrived: datetime,
    *signals: str,
    waiting: Waiting = Waiting.SHOP,
    responded: datetime | None = None,
) -> Case:
    return Case(
        subject_type="return",
        subject_id=number,
        kind=CaseKind.RETURN,
        status="review",
        waiting_on=waiting,
        order_id=1,
        order_number=f"#{number}",
        reference=f"RMA-{number}",
        locale="ja",
        reasons=[s.removeprefix("reason:") for s in signals if s.startswith("reason:")],
        comments=[],
        skus=[],
        arrived_at=arrived,
        first_responded_at=responded,
        resolved_at=None,
        closed_at=None,
        signals=set(signals),
    )


def test_the_mapping_gives_urgent_high_and_normal(policy: CasePolicy) -> None:
    assert policy.base_priority({"reason:WRONG_ITEM", "status:review"}) is Priority.URGENT
    assert policy.base_priority({"reason:DEFECTIVE"}) is Priority.URGENT
    assert policy.base_priority({"status:pending_stop"}) is Priority.HIGH
    assert policy.base_priority({"reason:SIZE_TOO_SMALL", "shipment:exception"}) is Priority.HIGH
    assert policy.base_priority({"reason:SIZE_TOO_SMALL", "shipment:delivered"}) is Priority.NORMAL
    # Urgent wins over high when both match.
    assert policy.base_priority({"reason:DEFECTIVE", "status:pending_stop"}) is Priority.URGENT


def test_an_admin_mapping_is_used() -> None:
    custom = parse_case_priorities('{"urgent": ["reason:SIZE_TOO_SMALL"]}')
    assert custom == {"urgent": frozenset({"reason:SIZE_TOO_SMALL"})}


def test_work_list_orders_by_priority_then_arrival(policy: CasePolicy) -> None:
    now = tokyo(2026, 12, 2, 11, 0)  # Wednesday
    cases = [
        case(1, tokyo(2026, 12, 2, 9, 0), "reason:SIZE_TOO_SMALL"),
        case(2, tokyo(2026, 12, 2, 10, 30), "reason:WRONG_ITEM"),
        case(3, tokyo(2026, 12, 1, 15, 0), "status:pending_stop"),
        case(4, tokyo(2026, 12, 2, 10, 0), "reason:DEFECTIVE"),
        case(5, tokyo(2026, 12, 1, 16, 0), "reason:STYLE"),
    ]
    ordered = triage(cases, policy, now)
    assert [c.subject_id for c in ordered] == [4, 2, 3, 5, 1]
    assert [c.priority.value for c in ordered] == ["urgent", "urgent", "high", "normal", "normal"]


def test_a_normal_case_waiting_two_business_days_counts_as_high(policy: CasePolicy) -> None:
    # Filed Friday 2026-12-04 at 16:00: two business days of open time end Tuesday 12-08 16:00.
    filed = tokyo(2026, 12, 4, 16, 0)
    before = triage([case(1, filed, "reason:STYLE")], policy, tokyo(2026, 12, 8, 15, 59))[0]
    after = triage([case(1, filed, "reason:STYLE")], policy, tokyo(2026, 12, 8, 16, 0))[0]
    assert (before.priority, before.aged) == (Priority.NORMAL, False)
    assert (after.priority, after.base_priority, after.aged) == (
        Priority.HIGH,
        Priority.NORMAL,
        True,
    )
    # Aged, it now comes before a normal case that arrived later, but after an urgent one.
    fresh_urgent = case(2, tokyo(2026, 12, 8, 15, 0), "reason:WRONG_ITEM")
    fresh_normal = case(3, tokyo(2026, 12, 8, 11, 0), "reason:STYLE")
    ordered = triage(
        [fresh_normal, case(1, filed, "reason:STYLE"), fresh_urgent],
        policy,
        tokyo(2026, 12, 8, 16, 0),
    )
    assert [c.subject_id for c in ordered] == [2, 1, 3]


def test_a_case_waiting_on_the_customer_does_not_age(policy: CasePolicy) -> None:
    decided = tokyo(2026, 11, 2, 10, 0)
    waiting = case(1, decided, "reason:STYLE", waiting=Waiting.CUSTOMER, responded=decided)
    triaged = triage([waiting], policy, tokyo(2026, 12, 2, 10, 0))[0]
    assert triaged.priority is Priority.NORMAL and not triaged.overdue


def test_due_times_and_overdue(policy: CasePolicy) -> None:
    # Filed on a holiday (2026-11-23, 勤労感謝の日) at 12:00: counting starts Tuesday 10:00.
    filed = tokyo(2026, 11, 23, 12, 0)
    triaged = triage([case(1, filed, "reason:STYLE")], policy, tokyo(2026, 11, 24, 17, 0))[0]
    assert triaged.first_response_due_at == tokyo(2026, 11, 24, 18, 0)
    assert triaged.resolution_due_at == tokyo(2026, 11, 26, 18, 0)
    assert not triaged.overdue
    late = triage([case(1, filed, "reason:STYLE")], policy, tokyo(2026, 11, 25, 9, 0))[0]
    assert late.overdue_for == ["first_response"]
    answered = case(1, filed, "reason:STYLE", responded=tokyo(2026, 11, 24, 11, 0))
    past_all = triage([answered], policy, tokyo(2026, 11, 27, 9, 0))[0]
    assert past_all.overdue_for == ["resolution"]
