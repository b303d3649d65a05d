"""The cases API: the work list of every kind of case, assignment and notes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from returns_service.api.docs import documented_errors
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.cases import operations
from returns_service.cases.policy import CasePolicy
from returns_service.cases.read_model import Case, CaseKind, Waiting, load_cases, parse_ref
from returns_service.cases.schemas import (
    AssignSchema,
    CaseDetailOut,
    CaseOut,
    CaseQueryArgs,
    NoteIn,
    NoteOut,
)
from returns_service.cases.swaps import WRONG_ITEM, possibly_swapped_with
from returns_service.cases.triage import triage
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.returns.models import ReturnRequest

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="The desk's cases")

_STAFF = (Role.AGENT, Role.WAREHOUSE)
CLOSED_PERIOD = timedelta(days=30)
_READ_ERRORS = ((401, "No valid token"), (403, "Needs a staff role"))


def _policy() -> CasePolicy:
    return CasePolicy.from_config(current_app.config)


def _present(case: Case) -> Case:
    """The case with the orders its wrongly shipped items may have gone to."""
    if case.subject_type == "return" and WRONG_ITEM in case.reasons:
        request = db.session.get(ReturnRequest, case.subject_id)
        zone = _policy().calendar.timezone
        found = possibly_swapped_with(db.session, request, zone)
        case.possibly_swapped_with = [evidence.as_dict() for evidence in found]
    return case


def _matches(case: Case, args: dict[str, Any]) -> bool:
    status = args["status"]
    if status == "open" and case.waiting_on is Waiting.CLOSED:
        return False
    if status == "closed" and case.waiting_on is not Waiting.CLOSED:
        return False
    if status not in ("open", "closed", "all") and case.status != status:
        return False
    if args["priority"] is not None and case.priority is not args["priority"]:
        return False
    if args["overdue"] is not None and case.overdue != args["overdue"]:
        return False
    return args["assignee"] is None or case.assignee == args["assignee"]


def _one(ref: str) -> Case:
    key = parse_ref(ref)
    if key is None:
        raise NotFound(f"no case {ref}")
    return triage([operations.find_case(db.session, *key)], _policy(), utcnow())[0]


def _caller() -> str:
    actor = current_principal().actor
    return actor.removeprefix("staff:")


@blp.route("")
class CaseCollection(MethodView):
    """The work list."""

    @require_roles(*_STAFF)
    @blp.arguments(CaseQueryArgs, location="query")
    @blp.response(200, CaseOut(many=True))
    @documented_errors(blp, (*_READ_ERRORS, (422, "A query argument is wrong")))
    def get(self, args: dict[str, Any]) -> list[Case]:
        """Cases of every kind, most pressing first, then oldest first."""
        kinds = [args["kind"]] if args["kind"] else list(CaseKind)
        now = utcnow()
        include_closed = args["status"] != "open"
        # The open list is short; the closed history is read one period at a time.
        arrived = None
        if include_closed or args["since"] or args["until"]:
            until = args["until"] or now
            arrived = (args["since"] or until - CLOSED_PERIOD, until)
        loaded = load_cases(db.session, kinds=kinds, include_closed=include_closed, arrived=arrived)
        cases = triage(loaded, _policy(), now)
        chosen = [case for case in cases if _matches(case, args)][: args["limit"]]
        return [_present(case) for case in chosen]


@blp.route("/<ref>")
class CaseResource(MethodView):
    """One case."""

    @require_roles(*_STAFF)
    @blp.response(200, CaseDetailOut)
    @documented_errors(blp, (*_READ_ERRORS, (404, "No such case")))
    def get(self, ref: str) -> Case:
        """The case with its due times, possible swapped parcels, comments and notes."""
        case = _present(_one(ref))
        case.notes = operations.notes(db.session, case)
        return case


@blp.route("/<ref>/assignee")
class CaseAssignee(MethodView):
    """Who works the case."""

    @require_roles(Role.AGENT)
    @blp.arguments(AssignSchema)
    @blp.response(200, CaseOut)
    @documented_errors(
        blp,
        (
            *_READ_ERRORS,
            (404, "No such case"),
            (409, "Someone else holds the case (send force to take it)"),
            (422, "A field is wrong"),
        ),
    )
    def put(self, data: dict[str, Any], ref: str) -> Case:
        """Take the case, or give it to someone."""
        case = _one(ref)
        assignee = data["assignee"] or _caller()
        operations.assign(db.session, utcnow(), case, assignee, force=data["force"])
        db.session.commit()
        return _present(case)

    @require_roles(Role.AGENT)
    @blp.response(200, CaseOut)
    @documented_errors(blp, (*_READ_ERRORS, (404, "No such case")))
    def delete(self, ref: str) -> Case:
        """Let the case go back to anyone."""
        case = _one(ref)
        operations.release(db.session, utcnow(), case)
        db.session.commit()
        return _present(case)


@blp.route("/<ref>/notes")
class CaseNotes(MethodView):
    """The staff's notes on a case."""

    @require_roles(*_STAFF)
    @blp.arguments(NoteIn)
    @blp.response(201, NoteOut)
    @documented_errors(blp, (*_READ_ERRORS, (404, "No such case"), (422, "The note is empty")))
    def post(self, data: dict[str, Any], ref: str) -> Any:
        """Keep a note on the case (never shown to the customer)."""
        case = _one(ref)
        note = operations.add_note(
            db.session, utcnow(), case, current_principal().actor, data["body"]
        )
        db.session.commit()
        return note
