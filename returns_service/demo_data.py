"""The demo shop: customers, products and a few dozen orders in every shipping state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from returns_service.auth.models import Role, StaffUser
from returns_service.cancellations.operations import request_cancellation
from returns_service.demo_catalogue import seed_catalogue
from returns_service.orders import documents
from returns_service.orders.models import Order, OrderLine, Shipment, ShipmentStatus
from returns_service.orders.numbers import normalise_order_number
from returns_service.orders.operations import upsert_order
from returns_service.orders.schemas import OrderUpsertSchema
from returns_service.returns.filing import open_return
from returns_service.returns.models import Resolution, ReturnRequest
from returns_service.returns.preview import line_terms
from returns_service.shop import ShopSettings
from returns_service.subscriptions.models import CancelReason
from returns_service.subscriptions.operations import start as start_subscription_cancellation

CUSTOMERS = [
    ("佐藤 花子", "hanako.sato@example.jp", "ja"),
    ("鈴木 一郎", "ichiro.suzuki@example.jp", "ja"),
    ("高橋 美咲", "misaki.takahashi@example.jp", "ja"),
    ("田中 健", "ken.tanaka@example.jp", "ja"),
    ("伊藤 さくら", "sakura.ito@example.jp", "ja"),
    ("Emily Carter", "emily.carter@example.com", "en"),
    ("James Wilson", "james.wilson@example.com", "en"),
    ("Olivia Brown", "olivia.brown@example.com", "en"),
]

#: sku, title, product type, JPY price, USD price in cents, tags
PRODUCTS = [
    (
        "TEE-WHT-M",
        "オーガニックコットンTシャツ 白 M / Organic cotton tee white M",
        "apparel",
        3900,
        2900,
        ["apparel", "cotton"],
    ),
    (
        "TEE-WHT-L",
        "オーガニックコットンTシャツ 白 L / Organic cotton tee white L",
        "apparel",
        3900,
        2900,
        ["apparel", "cotton"],
    ),
    (
        "DNM-IND-30",
        "セルビッジデニム 30 / Selvedge denim 30",
        "apparel",
        18900,
        14900,
        ["apparel", "denim"],
    ),
    (
        "DNM-IND-32",
        "セルビッジデニム 32 / Selvedge denim 32",
        "apparel",
        18900,
        14900,
        ["apparel", "denim"],
    ),
    (
        "SNK-BLK-26",
        "レザースニーカー 黒 26cm / Leather sneakers black 26",
        "shoes",
        24200,
        17900,
        ["shoes"],
    ),
    (
        "SNK-BLK-27",
        "レザースニーカー 黒 27cm / Leather sneakers black 27",
        "shoes",
        24200,
        17900,
        ["shoes"],
    ),
    ("MUG-HASAMI", "波佐見焼マグ / Hasami porcelain mug", "homeware", 1320, 900, ["homeware"]),
    ("KETTLE-CU", "銅のやかん / Copper kettle", "homeware", 128000, 98000, ["homeware", "premium"]),
    ("SOCK-3P", "靴下3足組 / Socks three-pack", "apparel", 1100, 800, ["apparel"]),
    (
        "COFFEE-SUB",
        "スペシャルティコーヒー定期便 / Specialty coffee subscription",
        "food",
        3240,
        2400,
        ["subscription", "food"],
    ),
    (
        "SALE-SCARF",
        "ウールマフラー(セール) / Wool scarf (sale)",
        "apparel",
        2900,
        1900,
        ["apparel", "final-sale"],
    ),
]

#: (fulfillment status, shipment status or None, days since placed, days since delivered)
SHIPPING_STATES = [
    ("unfulfilled", None, 0, None),
    ("allocated", None, 1, None),
    ("picking", None, 1, None),
    ("packed", None, 2, None),
    ("shipped", "label_created", 2, None),
    ("shipped", "in_transit", 3, None),
    ("shipped", "out_for_delivery", 4, None),
    ("shipped", "delivered", 6, 3),
    ("shipped", "delivered", 12, 8),
    ("shipped", "delivered", 20, 16),
    ("shipped", "exception", 9, None),
    ("shipped", "delivered", 50, 45),
]

STAFF = [
    ("admin@demo.example", "admin", "Demo Admin"),
    ("agent@demo.example", "agent", "Demo Agent"),
    ("warehouse@demo.example", "warehouse", "Demo Warehouse"),
]
DEMO_PASSWORD = "demo-password"


def _order_document(
    index: int, rng: random.Random, now: datetime, state: tuple[Any, ...]
) -> dict[str, Any]:
    name, email, locale = CUSTOMERS[index % len(CUSTOMERS)]
    currency = "JPY" if locale == "ja" else "USD"
    fulfillment, shipment_status, placed_days, delivered_days = state
    placed_at = now - timedelta(days=placed_days, hours=rng.randint(1, 20))
    picks = rng.sample(PRODUCTS[:9], k=rng.randint(1, 3))
    if index % 7 == 3:
        picks.append(PRODUCTS[10])  # a final-sale item now and then
    lines = [
        documents.order_line(
            f"{index + 1001}-{number}",
            sku,
            title,
            jpy if currency == "JPY" else usd,
            currency,
            quantity=rng.choice([1, 1, 1, 2]),
            discount=documents.money(0, currency),
            product_type=ptype,
            tags=tags,
            final_sale="final-sale" in tags,
        )
        for number, (sku, title, ptype, jpy, usd, tags) in enumerate(picks, start=1)
    ]
    shipments = []
    if shipment_status:
        shipments.append(
            documents.shipment(
                f"S{index + 1001}",
                lines,
                status=shipment_status,
                carrier="yamato" if currency == "JPY" else "usps",
                tracking_number=f"{4000_0000_0000 + index * 7919}",
                shipped_at=placed_at + timedelta(days=1),
                delivered_at=(
                    now - timedelta(days=delivered_days) if delivered_days is not None else None
                ),
            )
        )
    document = documents.order(
        f"#{index + 1001}",
        currency=currency,
        placed_at=placed_at,
        customer={
            "external_id": f"demo:{email}",
            "email": email,
            "name": name,
            "locale": locale,
            "phone": f"090-0000-{1000 + index % len(CUSTOMERS)}",
        },
        address=documents.TOKYO_ADDRESS if currency == "JPY" else documents.SAN_FRANCISCO_ADDRESS,
        lines=lines,
        shipments=shipments,
        shipping=600 if currency == "JPY" else 800,
        financial_status="paid",
        source="demo",
        payment={"provider": "sandbox", "reference": f"demo_pay_{index + 1001}", "method": "card"},
    )
    document["fulfillment_status"] = fulfillment
    return document


def _subscription_document(now: datetime) -> dict[str, Any]:
    sku, title, ptype, jpy, _, tags = PRODUCTS[9]
    lines = [documents.order_line("2001-1", sku, title, jpy, "JPY", product_type=ptype, tags=tags)]
    return documents.order(
        "#2001",
        currency="JPY",
        placed_at=now - timedelta(days=10),
        customer={
            "external_id": "demo:hanako.sato@example.jp",
            "email": "hanako.sato@example.jp",
            "name": "佐藤 花子",
            "locale": "ja",
        },
        address=documents.TOKYO_ADDRESS,
        lines=lines,
        shipments=[
            documents.shipment(
                "S2001",
                lines,
                status="delivered",
                carrier="yamato",
                tracking_number="400099990001",
                shipped_at=now - timedelta(days=8),
                delivered_at=now - timedelta(days=6),
            )
        ],
        source="demo",
        payment={"provider": "sandbox", "reference": "demo_pay_2001", "method": "card"},
        subscription_reference="SUB-2001",
        tags=["subscription"],
    )


def seed_demo_shop(session: Session, now: datetime, settings: ShopSettings) -> bool:
    """Fill an empty database with the demo shop; returns False if it had orders already."""
    if session.scalar(select(func.count()).select_from(Order)):
        return False
    rng = random.Random(20261125)
    schema = OrderUpsertSchema()
    documents = [
        _order_document(index, rng, now, SHIPPING_STATES[index % len(SHIPPING_STATES)])
        for index in range(36)
    ]
    documents.append(_subscription_document(now))
    for document in documents:
        external_id = f"demo-{normalise_order_number(document['number'])}"
        upsert_order(session, external_id, schema.load(document), now, "demo", settings)
    seed_catalogue(session, now)
    for email, role, name in STAFF:
        session.add(
            StaffUser(
                email=email,
                role=Role(role),
                name=name,
                password_hash=generate_password_hash(DEMO_PASSWORD),
            )
        )
    session.flush()
    _seed_returns(session, now, settings)
    seed_waiting_cases(session, now, settings)
    return True


def _seed_returns(session: Session, now: datetime, settings: ShopSettings) -> None:
    """A few returns decided by the default rules, so the queue and the numbers are not empty."""
    delivered = session.scalars(
        select(Order)
        .join(Order.shipments)
        .where(Shipment.status == ShipmentStatus.DELIVERED)
        .order_by(Order.id)
    ).unique()
    reasons = ["DEFECTIVE", "SIZE_TOO_SMALL", "UNWANTED", "STYLE", "NOT_AS_DESCRIBED"]
    for order, reason in zip(list(delivered)[:5], reasons, strict=False):
        line = order.lines[0]
        open_return(
            session,
            now,
            settings,
            order=order,
            lines=[{"line_id": line.id, "quantity": 1, "reason": reason}],
            resolution=Resolution.REFUND,
            method=_method_required(session, now, settings, line, reason),
            actor="customer",
            locale=order.customer.locale if order.customer else "ja",
        )


def _method_required(
    session: Session, now: datetime, settings: ShopSettings, line: OrderLine, reason: str
) -> dict[str, str]:
    """The way back the rules require for this reason (a drop-off where they leave it open)."""
    terms = line_terms(session, now, settings.timezone, line.order, {line.id})[line.id][reason]
    return {"type": terms.method or "dropoff"}


#: A replacement of another size for what a demo customer bought.
OTHER_SIZE = {"DNM-IND-30": "DNM-IND-32", "TEE-WHT-M": "TEE-WHT-L", "SNK-BLK-26": "SNK-BLK-27"}


def seed_waiting_cases(session: Session, now: datetime, settings: ShopSettings) -> None:
    """One case of each kind for a person, so the staff work list is not empty at first.

    A return sent to review (the dearest item delivered), an exchange on its way back,
    a packed order the warehouse is asked to stop, and a subscriber shown offers to stay.
    """
    orders = list(session.scalars(select(Order).order_by(Order.id)))
    delivered = [
        (order, line)
        for order in orders
        if _shipment_status(order) is ShipmentStatus.DELIVERED and not _has_return(session, order)
        for line in order.lines
    ]
    # The dearest item: the default rules send high-value returns to a person.
    order, line = max(delivered, key=lambda pair: (pair[1].unit_price, pair[1].id))
    _return(session, now, settings, order, line, "NOT_AS_DESCRIBED")
    exchangeable = [
        (o, line) for o, line in delivered if line.sku in OTHER_SIZE and o.id != order.id
    ]
    if exchangeable:
        order, line = exchangeable[-1]
        _return(session, now, settings, order, line, "SIZE_TOO_SMALL", OTHER_SIZE[line.sku])
    packed = next(o for o in orders if o.fulfillment_status.value == "packed")
    request_cancellation(
        session,
        now,
        settings,
        order=packed,
        lines=None,
        reason="CHANGED_MIND",
        comment="",
        actor="customer",
        locale=_locale(packed),
    )
    subscription = next(o for o in reversed(orders) if o.subscription_reference)
    start_subscription_cancellation(
        session,
        now,
        settings,
        order=subscription,
        reason=CancelReason.TOO_MUCH_PRODUCT,
        comment="",
        next_delivery=None,
        actor="customer",
        locale=_locale(subscription),
    )
    session.flush()


def _shipment_status(order: Order) -> ShipmentStatus | None:
    return order.shipments[0].status if order.shipments else None


def _has_return(session: Session, order: Order) -> bool:
    return bool(session.scalar(select(ReturnRequest.id).where(ReturnRequest.order_id == order.id)))


def _locale(order: Order) -> str:
    return order.customer.locale if order.customer else "ja"


def _return(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    order: Order,
    line: Any,
    reason: str,
    exchange_sku: str | None = None,
) -> None:
    chosen = {"line_id": line.id, "quantity": 1, "reason": reason}
    if exchange_sku:
        chosen["exchange_sku"] = exchange_sku
    open_return(
        session,
        now,
        settings,
        order=order,
        lines=[chosen],
        resolution=Resolution.EXCHANGE if exchange_sku else Resolution.REFUND,
        method=_method_required(session, now, settings, line, reason),
        actor="customer",
        locale=_locale(order),
    )
