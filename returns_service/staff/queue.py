"""Staff pages: the work list of every case and the scan box."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask import Blueprint, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from wtforms import SelectChoice

from returns_service.auth.models import Role, StaffUser
from returns_service.auth.staff_sessions import current_staff, staff_required
from returns_service.cancellations.models import CancellationStatus
from returns_service.cancellations.schemas import REASONS as CANCELLATION_REASONS
from returns_service.cases.policy import CasePolicy
from returns_service.cases.read_model import CaseKind
from returns_service.cases.search import rmas_for_code
from returns_service.cases.work_list import PAGE_SIZE, work_page
from returns_service.extensions import db
from returns_service.labels import REASON_LABELS
from returns_service.models import utcnow
from returns_service.pages import language
from returns_service.returns.models import ReturnStatus
from returns_service.staff.case_context import active_staff
from returns_service.staff.case_forms import ScanForm, WorkListForm
from returns_service.staff.case_labels import PageWords, case_label, reason_label
from returns_service.staff.queue_rows import filters_writer, rows_markup
from returns_service.staff.views import render
from returns_service.subscriptions.models import CancelReason, FlowStatus

#: The longest page a ``limit`` may ask for.
MAX_PAGE_SIZE = 200


def _choices(codes: Iterable[str], words: PageWords, everything: str) -> list[SelectChoice]:
    return [SelectChoice("", everything)] + [SelectChoice(c, words[c]) for c in codes]


@lru_cache(maxsize=8)
def _fixed_choices(language: str) -> tuple[list[SelectChoice], ...]:
    """The kinds, every kind's states and every reason, worded once per ``language`` (the
    page's: these are looked up while a page in it is served)."""
    words, reasons = PageWords(case_label), PageWords(reason_label)
    statuses = dict.fromkeys(
        s.value for enum in (ReturnStatus, CancellationStatus, FlowStatus) for s in enum
    )
    codes = [
        *REASON_LABELS,
        *(code for code in CANCELLATION_REASONS if code != "OTHER"),
        *(r.value for r in CancelReason if r.value != "other"),
    ]
    return (
        _choices((k.value for k in CaseKind), words, gettext("Every kind")),
        _choices(statuses, words, gettext("Open cases")),
        _choices(codes, reasons, gettext("Every reason")),
    )


def _work_list_form(user: StaffUser) -> WorkListForm:
    """The filters with their choices: kinds, every kind's states and reasons, staff."""
    form = WorkListForm(request.args)
    form.kind.choices, form.status.choices, form.reason.choices = _fixed_choices(language())
    staff = active_staff(db.session)
    form.assignee.choices = [
        SelectChoice("", gettext("Anyone")),
        SelectChoice("me", gettext("Me")),
        SelectChoice("none", gettext("Nobody")),
        *(SelectChoice(email, email) for email in staff if email != user.email),
    ]
    return form


@staff_required()
def queue() -> ResponseReturnValue:
    """Every case needing a person or in progress, most pressing first, then oldest."""
    user = current_staff()
    assert user is not None  # staff_required
    # Each code's words once per page, for the rows it writes.
    words, reasons = PageWords(case_label), PageWords(reason_label)
    form = _work_list_form(user)
    form.validate()
    offset = max(0, request.args.get("offset", 0, type=int) or 0)
    limit = min(MAX_PAGE_SIZE, max(1, request.args.get("limit", PAGE_SIZE, type=int) or 1))
    policy = CasePolicy.from_config(current_app.config)
    page = work_page(
        db.session,
        form.work_filter(user.email, current_app.config["TIMEZONE"]),
        policy,
        utcnow(),
        offset=offset,
        limit=limit,
    )
    args = {k: v for k, v in request.args.items() if k != "offset"}
    scan_first = user.role is Role.WAREHOUSE
    # What the filters show besides words: what each field read from the query string, the
    # staff to choose from (not the member themself) and the scan box's focus; never kept
    # while the search box holds text.
    shown = (
        None
        if form.q.data
        else (
            tuple(tuple(field.raw_data or ()) for field in form),
            tuple(c.value for c in form.assignee.choices),
            scan_first,
        )
    )
    return render(
        "staff/queue.html",
        form=form,
        # Built by the filters' template, only when they are written rather than kept.
        scan_form=ScanForm,
        page=page,
        page_size=limit,
        args=args,
        words=words,
        reason_words=reasons,
        rows_markup=rows_markup,
        filters_markup=filters_writer(shown),
        scan_first=scan_first,
    )


@staff_required()
def scan() -> ResponseReturnValue:
    """Go to the return a scanned RMA or tracking number names; a list when it is not one."""
    form = ScanForm(request.args)
    code = (form.code.data or "").strip() if form.validate() else ""
    found = rmas_for_code(db.session, code)
    if len(found) == 1:
        return redirect(url_for("staff_pages.show_return", rma=found[0]))
    return redirect(url_for("staff_pages.queue", q=code))


def register(bp: Blueprint) -> None:
    """Add the work list and the scan box to the staff blueprint."""
    bp.add_url_rule("/", view_func=queue, methods=["GET"])
    bp.add_url_rule("/scan", view_func=scan, methods=["GET"])
