"""The work list page's one statement, built and cached per shape of filter and page.

The branches are joined in one ``UNION ALL`` and the page is cut in the list's order in a
subquery of its own; each listed case's order, customer, assignee and first answer are
joined and looked up after the cut, for the page's rows only (joined before it, PostgreSQL
joined and carried every open case through the sort).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    select,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse

from returns_service.cases.answers import first_answer
from returns_service.cases.case_states import (
    CANCELLATION_CLOSED,
    RETURN_CLOSED,
    SUBSCRIPTION_CLOSED,
)
from returns_service.cases.models import CaseFile
from returns_service.cases.work_branches import branches
from returns_service.cases.work_filter import WorkShape
from returns_service.orders.models import Customer, Order
from returns_service.portable_sql import constant
from returns_service.subscriptions.models import FlowStatus

#: States no one works on any more: a list of those shows the newest first.
CLOSED_STATUSES = frozenset(
    s.value for s in (*RETURN_CLOSED, *CANCELLATION_CLOSED, *SUBSCRIPTION_CLOSED)
) | {FlowStatus.SUPERSEDED.value}


def _order(shape: WorkShape, cases: Any) -> tuple[Any, ...]:
    """Open before closed, most pressing first, then oldest; a closed state newest first."""
    if _newest_first(shape):
        return (cases.c.created_at.desc(), cases.c.subject_type, cases.c.subject_id.desc())
    return (
        cases.c.closed,
        cases.c.rank,
        cases.c.created_at,
        cases.c.subject_type,
        cases.c.subject_id,
    )


def _newest_first(shape: WorkShape) -> bool:
    return shape.status in CLOSED_STATUSES


#: The union's columns the rows show. Not the rank of a list sorted by arrival: that list
#: reads its page alone, and selecting the rank would have it worked out for every case of
#: the state.
_SHOWN = (
    "subject_type",
    "subject_id",
    "kind",
    "created_at",
    "status",
    "reference",
    "resolved_at",
    "reason",
    "line_reasons",
    "signal_rank",
    "order_id",
)
_RANKED = ("closed", "rank")


@lru_cache(maxsize=64)
def page_statement(shape: WorkShape, offset: int, limit: int) -> Select | None:
    """The statement of a page (``limit`` cases from ``offset``, and one more to tell
    whether another page follows) for a shape; None when no kind can match the chosen
    state.

    Its place and depth are written in (:func:`portable_sql.constant`): PostgreSQL plans
    the page knowing how deep each part is read, and the statement is sent as compiled.
    """
    shaped = _shaped_statement(shape)
    if shaped is None:
        return None
    window = {"offset": offset, "limit": limit + 1, "depth": offset + limit + 1}

    def written_in(element: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in window:
            return constant(window[element.key])
        return None

    return replacement_traverse(shaped, {}, written_in)


@lru_cache(maxsize=64)
def _shaped_statement(shape: WorkShape) -> Select | None:
    """The page's statement for a shape, its place and depth still parameters."""
    listed = branches(shape)
    if not listed:
        return None
    cases = union_all(*listed).subquery("cases")
    kept = _SHOWN if _newest_first(shape) else _SHOWN + _RANKED
    cut = select(*(cases.c[name] for name in kept))
    if shape.assignee:
        assigned = and_(
            CaseFile.subject_type == cases.c.subject_type,
            CaseFile.subject_id == cases.c.subject_id,
        )
        cut = cut.outerjoin(CaseFile, assigned)
        if shape.assignee == "none":
            cut = cut.where(CaseFile.assignee.is_(None))
        else:
            cut = cut.where(CaseFile.assignee == bindparam("assignee"))
    page = (
        cut.order_by(*_order(shape, cases))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery("page")
    )
    return (
        select(
            *(page.c[name] for name in _SHOWN if name != "order_id"),
            Order.number.label("order_number"),
            Customer.name.label("customer_name"),
            Customer.email.label("customer_email"),
            CaseFile.assignee,
            _first_answer(page),
        )
        .join(Order, Order.id == page.c.order_id)
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .outerjoin(
            CaseFile,
            and_(
                CaseFile.subject_type == page.c.subject_type,
                CaseFile.subject_id == page.c.subject_id,
            ),
        )
        .order_by(*_order(shape, page))
    )


def _first_answer(cases: Any) -> Any:
    """When a person (or the rules deciding) first answered the case; a subscription's
    offers answer at once."""
    return case(
        (cases.c.subject_type == constant("subscription"), cases.c.created_at),
        else_=first_answer(cases.c.subject_type, cases.c.subject_id, cases.c.resolved_at),
    ).label("first_answer")
