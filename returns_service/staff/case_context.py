"""What every case page shows beside its own part: the customer, the order, the rules'
reasons, the timeline, notes and who holds the case. The templates' partials read these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Row, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from wtforms import SelectChoice

from returns_service.auth import staff_directory
from returns_service.auth.models import StaffUser
from returns_service.cases import operations
from returns_service.cases.policy import CasePolicy
from returns_service.cases.read_model import Case
from returns_service.cases.tags import case_tag
from returns_service.cases.triage import triage
from returns_service.events import Event
from returns_service.models import utcnow
from returns_service.orders.models import Customer, Order, OrderLine
from returns_service.pages import language
from returns_service.portable_sql import constant
from returns_service.returns.models import ReturnLine, ReturnRequest
from returns_service.staff.case_forms import SHOWN_ONLY, AssignForm, NoteForm
from returns_service.staff.case_labels import PageWords, actor_label, case_event_label
from returns_service.staff.case_records import CaseRecords, case_records
from rules.facts import FACTS, MINOR_UNITS


@dataclass(frozen=True)
class CustomerPanel:
    """The customer and their history with the shop."""

    customer: Customer | None
    orders: int
    returns: int
    units_bought: int
    units_returned: int
    spent: int
    refunded: int
    currency: str

    @property
    def return_rate(self) -> float:
        """The share of units bought that came back (0 without purchases)."""
        return self.units_returned / self.units_bought if self.units_bought else 0.0


def customer_history(session: Session, order: Order) -> Row[Any]:
    """The order's customer's orders, returns and money (a guest's: their one order's),
    and the active staff, in one statement (see ``panel_and_staff``)."""
    if order.customer_id is None:
        history = session.connection().execute(
            _GUEST_HISTORY, {"order": order.id, "currency": order.currency}
        )
    else:
        history = session.connection().execute(
            _CUSTOMER_HISTORY, {"customer": order.customer_id, "currency": order.currency}
        )
    return history.one()


def panel_and_staff(order: Order, history: Any) -> tuple[CustomerPanel, list[str]]:
    """The order's customer with their history (a ``customer_history`` row, or its columns
    read with the order), and the active staff's e-mail addresses, whom the case may be
    given to."""
    panel = CustomerPanel(
        customer=order.customer,
        orders=history.orders,
        returns=int(history.returns),
        units_bought=int(history.units_bought),
        units_returned=int(history.units_returned),
        spent=int(history.spent),
        refunded=int(history.refunded),
        currency=order.currency,
    )
    staff = history.staff
    return panel, sorted(staff.split("\n")) if staff else []


def _history(currency: Any) -> Select:
    """Orders, money, units bought and returned, and returns over the orders the statement
    is narrowed to: money in ``currency`` only, units and returns over every order; then
    the active staff."""
    same_currency = Order.currency == currency
    return select(
        func.count(Order.id).filter(same_currency).label("orders"),
        _total(func.sum(Order.total_amount).filter(same_currency)).label("spent"),
        _total(func.sum(Order.refunded_amount).filter(same_currency)).label("refunded"),
        _total(func.sum(_each_order(select(func.sum(OrderLine.quantity)), OrderLine))).label(
            "units_bought"
        ),
        _total(func.sum(_each_order(_returned(func.count(ReturnRequest.id.distinct()))))).label(
            "returns"
        ),
        _total(func.sum(_each_order(_returned(func.sum(ReturnLine.quantity))))).label(
            "units_returned"
        ),
        _ACTIVE_STAFF.label("staff"),
    )


#: The active staff's e-mail addresses, as one value (a line each).
_ACTIVE_STAFF = (
    select(func.aggregate_strings(StaffUser.email, constant("\n")))
    .where(StaffUser.active)
    .scalar_subquery()
)


def _total(summed: Any) -> Any:
    return func.coalesce(summed, 0)


def _returned(column: Any) -> Select:
    """``column`` over the lines of returns."""
    return select(column).select_from(ReturnRequest).join(ReturnRequest.lines)


def _each_order(query: Select, of: type[OrderLine | ReturnRequest] = ReturnRequest) -> Any:
    """``query`` for each order of the outer statement: of its lines (``of=OrderLine``) or
    of its returns."""
    return query.where(of.order_id == Order.id).correlate(Order).scalar_subquery()


#: Built once (they only take parameters): a customer's history, and a guest's one order...
_CUSTOMER_HISTORY = _history(bindparam("currency")).where(
    Order.customer_id == bindparam("customer")
)
_GUEST_HISTORY = _history(bindparam("currency")).where(Order.id == bindparam("order"))
_THIS_ORDER, _ASKED = aliased(Order), aliased(ReturnRequest)
#: ... and the history of the customer of the return with the RMA given, either way: a
#: guest's order has no customer to match, so only the order itself is counted.
RETURN_HISTORY = (
    _history(_THIS_ORDER.currency)
    .join_from(
        Order,
        _THIS_ORDER,
        or_(Order.customer_id == _THIS_ORDER.customer_id, Order.id == _THIS_ORDER.id),
    )
    .join(_ASKED, _ASKED.order_id == _THIS_ORDER.id)
    .where(_ASKED.rma == bindparam("rma"))
)


def order_with_shipments(session: Session, order_id: int) -> Order:
    """The order with its lines, shipments and customer loaded for the order panel."""
    return session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.lines),
            selectinload(Order.shipments),
            joinedload(Order.customer),
        )
    ).one()


@dataclass(frozen=True)
class Fact:
    """A fact the rules read, with its label in the page's language."""

    label: str
    value: Any
    #: The currency of a sum of money (in its minor units); None for other facts.
    currency: str | None = None


@dataclass
class CaseWords:
    """A case page's words in its language, looked up once for the page; each timeline
    entry's kind and actor is worded once per language however often it recurs."""

    lang: str
    _kinds: PageWords = field(default_factory=lambda: PageWords(case_event_label))
    _actors: PageWords = field(default_factory=lambda: PageWords(actor_label))

    def explain(self, facts_read: Mapping[str, Any] | None, currency: str) -> list[Fact]:
        """The facts of a decision under the registry's labels; sums of money in ``currency``."""
        explained = []
        for name, value in (facts_read or {}).items():
            fact = FACTS.get(name)
            label = getattr(fact.label, self.lang, fact.label.en) if fact else name
            amount = fact is not None and fact.unit == MINOR_UNITS and isinstance(value, int)
            explained.append(Fact(label, value, currency if amount else None))
        return explained

    def in_language(self, text: Any) -> str:
        """A rules' text (``review_reason``, a message): its own part in the page's
        language if it has one."""
        if isinstance(text, Mapping):
            return str(text.get(self.lang) or text.get("en") or "")
        return str(text or "")

    def review_reasons(self, decisions: Iterable[Mapping[str, Any]]) -> list[str]:
        """Why the rules left these decisions to a person, each once."""
        found: list[str] = []
        for decision in decisions:
            if (decision or {}).get("outcome") != "review":
                continue
            text = self.in_language((decision.get("action") or {}).get("review_reason"))
            if text and text not in found:
                found.append(text)
        return found

    def event_message(self, event: Event) -> str:
        """An event's words: the rules' reasons where it holds them."""
        reasons = (event.data or {}).get("review_reasons")
        if reasons:
            return "; ".join(filter(None, (self.in_language(reason) for reason in reasons)))
        return event.message

    def event_label(self, kind: str) -> str:
        """A timeline entry's kind in words."""
        return self._kinds[kind]

    def actor_label(self, actor: str) -> str:
        """Who acted, in words."""
        return self._actors[actor]


def staff_choices(session: Session) -> list[SelectChoice]:
    """Active staff to assign a case to, as the database has them now: a form sent is
    checked against them."""
    return _choices(staff_directory.active_emails(session, trusted_for=0))


def active_staff(session: Session) -> list[str]:
    """The active staff's e-mail addresses, in order."""
    return staff_directory.active_emails(session, current_app.config["ACCESS_CHECK_SECONDS"])


def _choices(emails: Iterable[str]) -> list[SelectChoice]:
    return [SelectChoice(email, email) for email in emails]


def case_parts(session: Session, subject_type: str, subject_id: int, order_id: int) -> dict:
    """The shared parts of a case page as template variables, all read here."""
    order = order_with_shipments(session, order_id)
    return parts_of(
        operations.find_case(session, subject_type, subject_id),
        order,
        case_records(session, subject_type, subject_id),
        customer_history(session, order),
    )


def parts_of(case: Case, order: Order, records: CaseRecords, history: Any) -> dict:
    """The shared parts of a case page from what its page read: the case before triage,
    the order with its lines, shipments and customer, the case's timeline and notes, and
    its customer's history (see ``panel_and_staff``)."""
    policy = CasePolicy.from_config(current_app.config)
    case = triage([case], policy, utcnow())[0]
    panel, staff = panel_and_staff(order, history)
    assign_form = AssignForm(formdata=None, meta=SHOWN_ONLY)
    assign_form.assignee.choices = _choices(staff)
    words = CaseWords(language())
    return {
        "case": case,
        "tag": case_tag(case, policy),
        "order": order,
        "panel": panel,
        "timeline": records.timeline,
        "notes": records.notes,
        "note_form": NoteForm(formdata=None, meta=SHOWN_ONLY),
        "assign_form": assign_form,
        "words": words,
        "explain": words.explain,
        "review_reasons": words.review_reasons,
        "event_message": words.event_message,
    }
