"""Use cases of orders: create or replace an order, add or update a shipment, track it.

Every entry point (the API, Shopify's webhooks, bulk import, carrier pushes) changes an
order through these functions only. Each takes the order's row lock and holds the change
to the registered guards (see :mod:`returns_service.orders.guards`) before returning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from carriers import normalise_japanese_status
from returns_service.errors import NotFound
from returns_service.events import record_event
from returns_service.loaded_objects import every_column, read_as_loaded, rows_as_loaded
from returns_service.orders import inserts, upsert
from returns_service.orders.guards import hold_update
from returns_service.orders.models import (
    Customer,
    FulfillmentStatus,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from returns_service.shop import ShopSettings

ORDER = "order"

#: What changing an order reads of it: its lines and its parcels with theirs, a query per
#: table however many parcels (the guards and the answer read them too).
_WHOLE_ORDER = (
    selectinload(Order.lines),
    selectinload(Order.shipments).selectinload(Shipment.lines),
)


def _order_query(*, lock: bool, whole: bool) -> Select[tuple[Order]]:
    query = select(Order).where(Order.external_id == bindparam("external_id"))
    if lock:
        query = query.with_for_update()
    if whole:
        query = query.options(*_WHOLE_ORDER)
    return query


#: Built once: building a query with loader options, and its cache key, cost more than
#: running it. A whole order is read under the row lock its caller took already.
_ORDER_QUERIES = {
    (lock, whole): _order_query(lock=lock, whole=whole)
    for lock, whole in ((False, False), (True, False), (False, True))
}
_LOCKED_ORDER_ID = (
    select(Order.id).where(Order.external_id == bindparam("external_id")).with_for_update()
)
#: The customer a document names: by the shop's id for them, else by e-mail.
_NAMED_CUSTOMER_ID = func.coalesce(
    select(Customer.id)
    .where(Customer.external_id == bindparam("customer_external_id"))
    .scalar_subquery(),
    select(Customer.id).where(Customer.email == bindparam("email")).limit(1).scalar_subquery(),
)
#: Every column of that customer, as an order being updated reads it under the order's lock.
_NAMED_CUSTOMER = every_column(Customer).where(Customer.id == _NAMED_CUSTOMER_ID)
_LOCKED = select(_LOCKED_ORDER_ID.scalar_subquery().label("locked_order_id")).subquery("locked")
#: Whether the order is there, its row locked, with the customer its document names (one
#: row, its customer's columns empty where there is none): a new order (most deliveries)
#: needs no more before it is inserted, and the ORM's query of a whole order costs several
#: times this even when it finds none.
_LOCKED_ORDER_ID_AND_CUSTOMER = (
    select(_LOCKED.c.locked_order_id, *every_column(Customer).selected_columns)
    .select_from(_LOCKED)
    .outerjoin(Customer, Customer.id == _NAMED_CUSTOMER_ID)
)
_CUSTOMER_KEYS = tuple(column.key for column in every_column(Customer).selected_columns)


def find_order(
    session: Session, external_id: str, *, lock: bool = False, whole: bool = False
) -> Order | None:
    """The order with this external id (``lock``: its row locked; ``whole``: with its lines
    and parcels, for a caller that holds the lock)."""
    return session.scalar(_ORDER_QUERIES[lock, whole], {"external_id": external_id})


def get_order(session: Session, external_id: str, *, lock: bool = False) -> Order:
    """The order with this external id, or NotFound."""
    order = find_order(session, external_id, lock=lock)
    if order is None:
        raise NotFound(f"no order with external id {external_id!r}")
    return order


def _naming(customer: dict[str, Any]) -> dict[str, Any]:
    """The parameters of :data:`_NAMED_CUSTOMER_ID`: what the document names its customer by."""
    return {
        "customer_external_id": customer.get("external_id") or None,
        "email": (customer.get("email") or "").lower() or None,
    }


def _found_customer(session: Session, data: dict[str, Any]) -> Customer | None:
    """The customer the document names: by the shop's id for them, else by e-mail."""
    found = read_as_loaded(session, Customer, _NAMED_CUSTOMER, _naming(data))
    return found[0] if found else None


def _customer(
    session: Session, data: dict[str, Any], default_locale: str, customer: Customer | None
) -> tuple[Customer, bool]:
    """The document's customer (``customer``, as :func:`_found_customer` finds it, or None
    to insert it), its details brought up to date, and whether it was inserted here."""
    if customer is None:
        # Inserted with its details: an insert and an update of the same row would be two.
        details = _customer_details(data, None, default_locale)
        if not data.get("external_id"):
            return upsert.new_customer(session, details), True
        customer, inserted = upsert.customer_with_external_id(session, data["external_id"], details)
        if inserted:
            return customer, True
    customer.external_id = data.get("external_id") or customer.external_id
    for name, value in _customer_details(data, customer, default_locale).items():
        setattr(customer, name, value)
    return customer, False


def _customer_details(
    data: dict[str, Any], customer: Customer | None, default_locale: str
) -> dict[str, Any]:
    """The customer's details as the order document gives them, else as stored."""
    return {
        "email": (data.get("email") or "").lower() or (customer and customer.email),
        "phone": data.get("phone") or (customer and customer.phone),
        "name": data.get("name") or (customer and customer.name) or "",
        "locale": data.get("locale") or (customer and customer.locale) or default_locale,
    }


def _amount(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    return value["amount"] if value else 0


def upsert_order(
    session: Session,
    external_id: str,
    data: dict[str, Any],
    now: datetime,
    actor: str,
    settings: ShopSettings,
) -> tuple[Order, str]:
    """Create or replace an order from a loaded :class:`OrderUpsertSchema` document.

    Returns the order and what happened: ``created``, ``updated`` or ``stale`` (the document
    is older than what is stored, as happens when webhooks arrive out of order).
    Lines and shipments are matched by external id so their ids (which returns point at)
    stay the same across updates. An order cancelled stays cancelled. The guards may
    refuse the update with Conflict (a parcel carrying units cancelled and refunded).
    """
    locked_id, found = _locked_order_id(session, external_id, data["customer"])
    order = None if locked_id is None else find_order(session, external_id, whole=True)
    outcome = "updated" if order else "created"
    if order is None:
        order = _insert_order(session, external_id, data, settings.locale, found)
    if order is None:  # a parallel delivery inserted it first (and orders are never deleted)
        order, outcome = _locked_order(session, external_id), "updated"
    if outcome == "updated":
        if _is_stale(order, data.get("updated_at")):
            return order, "stale"
        found = _found_customer(session, data["customer"])
        order.customer, _ = _customer(session, data["customer"], settings.locale, found)
        for name, value in _order_values(data, order).items():
            setattr(order, name, value)
        _replace_lines(order, [_line_values(line) for line in data["lines"]])
    for shipment_data in data.get("shipments", []):
        _apply_shipment(order, shipment_data, now)
    record_event(
        session,
        subject_type=ORDER,
        subject_id=order.id,
        order_id=order.id,
        kind=f"order.{outcome}",
        actor=actor,
        now=now,
        source=order.source.value,
    )
    session.flush()  # the order's changes, parcels and event, each table in one batch
    hold_update(session, now, order, settings, new=outcome == "created")
    return order, outcome


def _locked_order_id(
    session: Session, external_id: str, customer: dict[str, Any]
) -> tuple[int | None, Customer | None]:
    """The order's id, its row locked; or, where there is none, None and the customer the
    document names as found in the same statement (see :func:`_found_customer`).

    An order found is changed with its customer read again under the lock: the statement
    read customers as they were before it waited for the lock.
    """
    values = {"external_id": external_id, **_naming(customer)}
    if session.autoflush:
        session.flush()
    row = session.connection().execute(_LOCKED_ORDER_ID_AND_CUSTOMER, values).mappings().one()
    if row["locked_order_id"] is not None or row["id"] is None:
        return row["locked_order_id"], None
    [found] = rows_as_loaded(session, Customer, [{key: row[key] for key in _CUSTOMER_KEYS}])
    return row["locked_order_id"], found


def _locked_order(session: Session, external_id: str) -> Order | None:
    """The order with this external id, its row locked first, then read whole; None (read
    in one small statement) where there is none."""
    by_id = {"external_id": external_id}
    locked_id = session.connection().execute(_LOCKED_ORDER_ID, by_id).scalar()
    # Read committed: the whole order's read after the lock sees what was committed before it.
    return None if locked_id is None else find_order(session, external_id, whole=True)


def _insert_order(
    session: Session,
    external_id: str,
    data: dict[str, Any],
    default_locale: str,
    found: Customer | None,
) -> Order | None:
    """Insert the new order, with its customer where new; None, with nothing of this left
    written or pending, where a parallel delivery of the same order inserted it first (the
    insert waited for that one's commit).

    Deliveries of a new order arrive together (the same webhook retried, ``orders/create``
    with ``orders/updated``): the first to insert it wins, the others update it.
    """
    customer, inserted = _customer(session, data["customer"], default_locale, found)
    lines = [_line_values(line) for line in data["lines"]]
    order = inserts.insert_order(session, external_id, customer, _order_values(data, None), lines)
    if order is None:
        # Undone, so that the update that follows finds the customer as the winner left it
        # (and writes nothing of this document where it is older).
        if inserted:
            session.delete(customer)
        else:
            session.expire(customer)
    return order


def _is_stale(order: Order, updated_at: datetime | None) -> bool:
    return bool(updated_at and order.source_updated_at and updated_at < order.source_updated_at)


def _order_values(data: dict[str, Any], order: Order | None) -> dict[str, Any]:
    """The order's columns as the document gives them; what it leaves out stays as stored."""
    address = data.get("shipping_address") or {}
    reference = data.get("subscription_reference")
    return {
        "number": data["number"],
        "placed_at": data["placed_at"],
        "source_updated_at": data.get("updated_at") or (order and order.source_updated_at),
        "currency": data["currency"],
        "financial_status": data["financial_status"],
        "fulfillment_status": (
            data["fulfillment_status"]
            or (order and order.fulfillment_status)
            or FulfillmentStatus.UNFULFILLED
        ),
        "source": data["source"],
        "payment_provider": data["payment"]["provider"],
        "payment_reference": data["payment"]["reference"],
        "payment_method": data["payment"]["method"],
        "subscription_reference": reference,
        "is_subscription": bool(reference),
        "tags": list(data.get("tags", [])),
        # An order cancelled stays cancelled.
        "cancelled_at": data.get("cancelled_at") or (order and order.cancelled_at),
        "shipping_address": address,
        "shipping_country": address.get("country"),
        "total_amount": _amount(data, "total"),
        "shipping_amount": _amount(data, "shipping"),
        "discount_amount": _amount(data, "discount"),
        "refunded_amount": max(_amount(data, "refunded"), (order and order.refunded_amount) or 0),
    }


def _line_values(data: dict[str, Any]) -> dict[str, Any]:
    """A line's columns as the document gives them."""
    return {
        "external_id": data["external_id"],
        "sku": data["sku"],
        "product_id": data.get("product_id"),
        "variant_id": data.get("variant_id"),
        "title": data["title"],
        "quantity": data["quantity"],
        "unit_price": data["unit_price"]["amount"],
        "discount": data["discount"]["amount"] if data.get("discount") else 0,
        "product_type": data["product_type"],
        "tags": list(data["tags"]),
        "is_final_sale": data["final_sale"],
    }


def _replace_lines(order: Order, lines: list[dict[str, Any]]) -> None:
    existing = {line.external_id: line for line in order.lines}
    kept = []
    for values in lines:
        line = existing.pop(values["external_id"], None) or OrderLine()
        for name, value in values.items():
            setattr(line, name, value)
        kept.append(line)
    # A line the shop no longer sends is kept: returns and shipments may point at it.
    order.lines = kept + list(existing.values())


def upsert_shipment(
    session: Session,
    order: Order,
    data: dict[str, Any],
    now: datetime,
    actor: str,
    settings: ShopSettings,
    *,
    fulfils_order: bool = False,
) -> Shipment:
    """Add a shipment to an order or update it (status, tracking, lines), on the timeline.

    The caller holds the order's row lock (:func:`get_order` with ``lock``). With
    ``fulfils_order`` (a shop, such as Shopify, whose fulfilment record means the order is
    fulfilled) a parcel past pending marks the order shipped. The guards may refuse it.
    """
    shipment = _apply_shipment(order, data, now)
    if fulfils_order and shipment.status is not ShipmentStatus.PENDING:
        order.fulfillment_status = FulfillmentStatus.SHIPPED
    session.flush()
    record_event(
        session,
        subject_type=ORDER,
        subject_id=order.id,
        order_id=order.id,
        kind="order.shipment_updated",
        actor=actor,
        now=now,
        shipment=shipment.external_id,
        status=shipment.status.value,
    )
    hold_update(session, now, order, settings)
    return shipment


def track_shipment(
    session: Session,
    now: datetime,
    tracking_number: str,
    status: ShipmentStatus,
    *,
    delivered_at: datetime | None,
    actor: str,
    settings: ShopSettings,
) -> Shipment | None:
    """Move the outbound parcel with this tracking number to what its carrier reports.

    None when no parcel of ours has the number. The order is locked before the parcel, as
    every order use case does, and the guards see the change.
    """
    order_id = session.scalar(
        select(Shipment.order_id).where(Shipment.tracking_number == tracking_number).limit(1)
    )
    if order_id is None:
        return None
    order = session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    shipment = next(s for s in order.shipments if s.tracking_number == tracking_number)
    data = {"external_id": shipment.external_id, "status": status, "delivered_at": delivered_at}
    return upsert_shipment(session, order, data, now, actor, settings)


def _from_carrier_word(carrier: str, word: str | None) -> ShipmentStatus | None:
    """A Japanese carrier's status word (配達完了, 輸送中 ...) as our status, if we know it."""
    if not word:
        return None
    try:
        return normalise_japanese_status(carrier, word)
    except ValueError:  # not a Japanese carrier: its words are not ours to read
        return None


def _apply_shipment(order: Order, data: dict[str, Any], now: datetime) -> Shipment:
    shipment = next((s for s in order.shipments if s.external_id == data["external_id"]), None)
    if shipment is None:
        shipment = Shipment(external_id=data["external_id"])
        order.shipments.append(shipment)
    shipment.carrier = data.get("carrier") or shipment.carrier or ""
    shipment.tracking_number = data.get("tracking_number") or shipment.tracking_number
    shipment.status = (
        data.get("status")
        or _from_carrier_word(shipment.carrier, data.get("carrier_status"))
        or shipment.status
        or ShipmentStatus.PENDING
    )
    shipment.warehouse = data.get("warehouse") or shipment.warehouse
    shipment.shipped_at = data.get("shipped_at") or shipment.shipped_at
    shipment.delivered_at = data.get("delivered_at") or shipment.delivered_at
    if shipment.status is ShipmentStatus.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = now
    if data.get("lines"):
        by_external_id = {line.external_id: line for line in order.lines}
        missing = [sl["line_id"] for sl in data["lines"] if sl["line_id"] not in by_external_id]
        if missing:
            raise NotFound(f"order {order.external_id} has no line {missing[0]!r}", field="lines")
        shipment.lines = [
            ShipmentLine(order_line=by_external_id[sl["line_id"]], quantity=sl["quantity"])
            for sl in data["lines"]
        ]
    return shipment
