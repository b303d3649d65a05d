"""The cases API's shapes."""

from __future__ import annotations

from marshmallow import fields, validate

from returns_service.cancellations.models import CancellationStatus
from returns_service.cases.policy import Priority
from returns_service.cases.read_model import CaseKind
from returns_service.compiled_schemas import Schema
from returns_service.returns.models import ReturnStatus
from returns_service.subscriptions.models import FlowStatus

#: ``open`` (the default), ``closed``, ``all``, or one of the domains' own statuses.
STATUS_FILTERS = sorted(
    {"open", "closed", "all"}
    | {s.value for s in ReturnStatus}
    | {s.value for s in CancellationStatus}
    | {s.value for s in FlowStatus if s is not FlowStatus.SUPERSEDED}
)


class CaseQueryArgs(Schema):
    """Which cases to list."""

    kind = fields.Enum(CaseKind, by_value=True, load_default=None)
    status = fields.String(load_default="open", validate=validate.OneOf(STATUS_FILTERS))
    priority = fields.Enum(Priority, by_value=True, load_default=None)
    overdue = fields.Boolean(load_default=None)
    assignee = fields.String(load_default=None)
    #: Closed cases are read by arrival: from ``since`` (default 30 days ago) to ``until``.
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class SwapEvidenceOut(Schema):
    """Another order that may hold this customer's item, and why."""

    order_number = fields.String()
    shipment = fields.String()
    shipped_at = fields.String()
    warehouse = fields.String(allow_none=True)
    received_sku = fields.String()
    received_title = fields.String()
    evidence = fields.List(fields.String())


class NoteOut(Schema):
    """A staff note on a case."""

    id = fields.Integer()
    author = fields.String()
    body = fields.String()
    created_at = fields.AwareDateTime()


class CaseOut(Schema):
    """A case as the work list shows it."""

    id = fields.String(attribute="ref")
    kind = fields.Enum(CaseKind, by_value=True)
    status = fields.String()
    waiting_on = fields.String()
    reference = fields.String()
    order_number = fields.String()
    reasons = fields.List(fields.String())
    priority = fields.Enum(Priority, by_value=True)
    #: The priority the reasons and state give, before aging.
    base_priority = fields.Enum(Priority, by_value=True)
    aged = fields.Boolean()
    arrived_at = fields.AwareDateTime()
    first_response_due_at = fields.AwareDateTime()
    first_responded_at = fields.AwareDateTime(allow_none=True)
    resolution_due_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean()
    overdue_for = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    possibly_swapped_with = fields.List(fields.Nested(SwapEvidenceOut))


class CaseDetailOut(CaseOut):
    """A case with the customer's comments and the staff's notes."""

    comments = fields.List(fields.String())
    notes = fields.List(fields.Nested(NoteOut))


class AssignSchema(Schema):
    """Who takes the case: an e-mail address or name; the caller when left out."""

    assignee = fields.String(load_default=None, validate=validate.Length(min=1, max=320))
    #: Take it even if someone else holds it.
    force = fields.Boolean(load_default=False)


class NoteIn(Schema):
    """A note to keep on the case."""

    body = fields.String(required=True, validate=validate.Length(min=1, max=4000))
