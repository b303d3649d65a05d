"""What the work list keeps per process (its rows worked out and written, its filters) shows
a change at once, and a search's text is never kept."""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.cases.policy import CasePolicy
from returns_service.cases.work_rows import work_row
from returns_service.extensions import db
from returns_service.kept_values import KeptValues
from returns_service.staff import queue, queue_rows
from returns_service.staff.case_forms import ScanForm
from tests.cases.test_cases_api import _file
from tests.shop import Shop, add_staff, csrf, sign_in

Found = namedtuple(
    "Found",
    "subject_type subject_id kind created_at status reference resolved_at reason order_number "
    "line_reasons signal_rank assignee customer_name customer_email first_answer",
)


def _found(**changes: object) -> Found:
    listed = Found(
        "return", 1, "return", datetime(2026, 3, 2, 1, tzinfo=UTC), "review", "R-1", None, None,
        "#1", "UNWANTED", 2, None, "Hanako", "h@example.jp", None,
    )  # fmt: skip
    return listed._replace(**changes)


def test_a_kept_row_follows_the_clock_and_the_case(app: Flask) -> None:
    policy = CasePolicy.from_config(app.config)
    found = _found()
    due = policy.first_response_due(found.created_at)
    early, cutoff = due - timedelta(minutes=1), found.created_at - timedelta(seconds=1)

    fresh = work_row(found, policy, early, cutoff)
    assert (fresh.tag.overdue, fresh.tag.priority) == (False, "normal")
    assert work_row(found, policy, early, cutoff) is fresh  # kept
    late = work_row(found, policy, due + timedelta(minutes=1), cutoff)
    assert late.tag.overdue and late.tag.priority == "normal"
    aged = work_row(found, policy, early, found.created_at)
    assert not aged.tag.overdue and aged.tag.priority == "high"
    answered = work_row(_found(first_answer=early, status="approved"), policy, early, cutoff)
    assert answered.status == "approved" and answered.tag.due != fresh.tag.due
    assert work_row(_found(assignee="aiko@shop.example"), policy, early, cutoff).assignee


def test_a_row_is_kept_and_written_under_its_values(app: Flask) -> None:
    policy = CasePolicy.from_config(app.config)
    found = _found(subject_id=7)
    due = policy.first_response_due(found.created_at)
    cutoff = found.created_at - timedelta(seconds=1)
    row = work_row(found, policy, due, cutoff)
    # The statement gives a new row object each page: the same values find the kept row.
    assert work_row(_found(subject_id=7), policy, due, cutoff) is row

    written = {row: "kept markup"}
    assert written[dataclasses.replace(row)] == "kept markup"
    assert dataclasses.replace(row, status="approved") not in written
    assert dataclasses.replace(row, tag=dataclasses.replace(row.tag, overdue=True)) not in written


def test_the_filters_show_a_new_member_at_once_and_never_keep_a_search(
    app: Flask, session: Session, shop: Shop
) -> None:
    _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    assert "ken@shop.example" not in agent.get("/staff/?lang=en").get_data(as_text=True)

    with app.app_context():  # added by this process: shown at once, not a few seconds later
        add_staff(db.session, "ken@shop.example", Role.AGENT)
    page = agent.get("/staff/?kind=return").get_data(as_text=True)
    assert '<option value="ken@shop.example">ken@shop.example</option>' in page
    assert '<option selected value="return">' in page

    searched = agent.get("/staff/?q=hanako%40example.jp").get_data(as_text=True)
    assert 'value="hanako@example.jp"' in searched
    assert "hanako" not in repr(queue_rows._filters)
    assert 'value="hanako' not in agent.get("/staff/").get_data(as_text=True)


def test_a_page_like_the_last_writes_nothing_again(
    app: Flask, session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    _file(shop, "#5002", "5002", "L4", "UNWANTED")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    # Fresh stores: what other tests' pages left kept would be found.
    monkeypatch.setattr(queue_rows, "_written", KeptValues(4096))
    monkeypatch.setattr(queue_rows, "_filters", KeptValues(256))
    written: list[str] = []
    make_macros = queue_rows._macros

    def counted_macros(context: object, name: str) -> object:
        written.append(name)
        return make_macros(context, name)

    monkeypatch.setattr(queue_rows, "_macros", counted_macros)
    scan_forms: list[object] = []

    class CountedScanForm(ScanForm):
        def __init__(self, *args: object, **kwargs: object) -> None:
            scan_forms.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(queue, "ScanForm", CountedScanForm)

    first = agent.get("/staff/?lang=en").get_data(as_text=True)
    assert "#5001" in first and "#5002" in first and 'id="scan-code"' in first
    assert sorted(set(written)) == [queue_rows.FILTERS_TEMPLATE, queue_rows.ROW_TEMPLATE]
    assert len(scan_forms) == 1

    written.clear()
    again = agent.get("/staff/?lang=en").get_data(as_text=True)
    assert again == first.replace(csrf(first), csrf(again))
    assert written == [] and len(scan_forms) == 1  # rows and filters as kept, no form built
