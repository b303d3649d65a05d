"""What staff do to any case: take it, give it to someone, let it go, leave a note.

Each action runs the cases' own operation in one transaction and goes back to the case's
page; the case is named by its reference (``return-12``, ``cancellation-3`` ...).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from returns_service.auth.models import StaffUser
from returns_service.auth.staff_sessions import current_staff, staff_required
from returns_service.cases import operations
from returns_service.cases.read_model import Case, parse_ref
from returns_service.errors import DomainError, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.pages import not_done
from returns_service.staff.case_context import staff_choices
from returns_service.staff.case_forms import AssignForm, NoteForm
from returns_service.staff.views import render


def case_url(case: Case) -> str:
    """The page of a case of any kind."""
    if case.subject_type == "return":
        return url_for("staff_pages.show_return", rma=case.reference)
    if case.subject_type == "cancellation":
        return url_for("staff_pages.show_cancellation", cancellation_id=case.subject_id)
    return url_for("staff_pages.show_subscription", flow_id=case.subject_id)


def _on_case(ref: str, action: Callable[[Case, StaffUser], None]) -> ResponseReturnValue:
    """Run ``action`` on the case in one transaction, then show its page again."""
    subject = parse_ref(ref)
    if subject is None:
        raise NotFound(f"no case {ref}")
    user = current_staff()
    assert user is not None  # staff_required
    case = operations.find_case(db.session, *subject)
    try:
        action(case, user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        message = not_done(gettext("This was not done."), error.message)
        return render("staff/refused.html", error.status.value, error=message)
    return redirect(case_url(case))


@staff_required()
def take(ref: str) -> ResponseReturnValue:
    """The signed-in member takes the case, even from someone else."""
    return _on_case(
        ref,
        lambda case, user: operations.assign(db.session, utcnow(), case, user.email, force=True),
    )


@staff_required()
def assign(ref: str) -> ResponseReturnValue:
    """Give the case to another active staff member."""
    form = AssignForm()
    form.assignee.choices = staff_choices(db.session)

    def run(case: Case, user: StaffUser) -> None:
        if form.assignee.data not in {choice.value for choice in form.assignee.choices}:
            raise NotFound(f"no active staff member {form.assignee.data!r}")
        operations.assign(db.session, utcnow(), case, form.assignee.data, force=True)

    return _on_case(ref, run)


@staff_required()
def release(ref: str) -> ResponseReturnValue:
    """Leave the case to anyone again."""
    return _on_case(ref, lambda case, user: operations.release(db.session, utcnow(), case))


@staff_required()
def note(ref: str) -> ResponseReturnValue:
    """Keep an internal note on the case."""
    body = (NoteForm().body.data or "")[: operations.NOTE_MAX_LENGTH + 1]
    return _on_case(
        ref,
        lambda case, user: operations.add_note(db.session, utcnow(), case, user.email, body),
    )


def register(bp: Blueprint) -> None:
    """Add the actions every case shares to the staff blueprint."""
    for action in (take, assign, release, note):
        bp.add_url_rule(f"/cases/<ref>/{action.__name__}", view_func=action, methods=["POST"])
