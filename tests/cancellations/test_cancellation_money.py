"""What a cancellation refunds: lines after discounts, shipping when due, never too much."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations.amounts import (
    PartialShipping,
    cancellation_amounts,
    net_line_totals,
)
from returns_service.refunds.models import Refund, SandboxRefund
from tests.cancellations.conftest import Cancellations
from tests.refunds.conftest import on_its_way_but
from tests.shop import Shop, publish_default_rules


def _line(line_id: int, quantity: int, unit_price: int, discount: int = 0) -> SimpleNamespace:
    return SimpleNamespace(
        id=line_id,
        quantity=quantity,
        discount=discount,
        total=unit_price * quantity - discount,
    )


def _order(lines: list[SimpleNamespace], discount: int = 0, shipping: int = 0) -> Any:
    return SimpleNamespace(lines=lines, discount_amount=discount, shipping_amount=shipping)


def test_an_order_discount_the_lines_do_not_carry_is_spread_over_them() -> None:
    order = _order([_line(1, 2, 3000), _line(2, 1, 4000)], discount=1000)
    assert net_line_totals(order) == {1: 5400, 2: 3600}


def test_line_discounts_that_carry_the_order_discount_are_not_taken_twice() -> None:
    order = _order([_line(1, 2, 3000, discount=600), _line(2, 1, 4000, discount=400)], 1000)
    assert net_line_totals(order) == {1: 5400, 2: 3600}


def test_units_cancelled_one_by_one_add_up_to_the_line_never_more() -> None:
    order = _order([_line(1, 3, 400, discount=200)])  # 1000 yen for three
    refunds = []
    before: dict[int, int] = {}
    for _ in range(3):
        amounts = cancellation_amounts(
            order,
            before=before,
            cancelling={1: 1},
            shipping_refunded_before=0,
            partial_shipping=PartialShipping.NONE,
        )
        refunds.append(amounts.goods)
        before = {1: before.get(1, 0) + 1}
    assert refunds == [333, 333, 334]
    assert amounts.closes_order


@pytest.mark.parametrize(
    ("policy", "first", "last"),
    [
        (PartialShipping.NONE, 0, 800),
        (PartialShipping.PROPORTIONAL, 266, 534),
        (PartialShipping.FULL, 800, 0),
    ],
)
def test_shipping_follows_the_shops_setting_and_is_whole_with_the_last_units(
    policy: PartialShipping, first: int, last: int
) -> None:
    order = _order([_line(1, 1, 1000), _line(2, 1, 2000)], shipping=800)
    partial = cancellation_amounts(
        order, before={}, cancelling={1: 1}, shipping_refunded_before=0, partial_shipping=policy
    )
    rest = cancellation_amounts(
        order,
        before={1: 1},
        cancelling={2: 1},
        shipping_refunded_before=partial.shipping,
        partial_shipping=policy,
    )
    assert (partial.shipping, rest.shipping) == (first, last)
    assert partial.goods + rest.goods == 3000
    assert rest.closes_order and not partial.closes_order


@given(
    lines=st.lists(
        st.tuples(st.integers(1, 5), st.integers(0, 100_000), st.integers(0, 100)),
        min_size=1,
        max_size=5,
    ),
    order_discount=st.integers(0, 50_000),
    shipping=st.integers(0, 5_000),
    policy=st.sampled_from(list(PartialShipping)),
    data=st.data(),
)
def test_any_order_cancelled_in_any_pieces_gives_back_exactly_what_was_paid(
    lines: list[tuple[int, int, int]],
    order_discount: int,
    shipping: int,
    policy: PartialShipping,
    data: st.DataObject,
) -> None:
    built = [
        _line(i, quantity, price, discount=min(price * quantity, price * quantity * pct // 100))
        for i, (quantity, price, pct) in enumerate(lines, start=1)
    ]
    order = _order(built, discount=order_discount, shipping=shipping)
    paid = sum(net_line_totals(order).values()) + shipping
    left = {line.id: line.quantity for line in built}
    before: dict[int, int] = {}
    refunded_shipping = 0
    total = 0
    while any(left.values()):
        line_id = data.draw(st.sampled_from([i for i, n in left.items() if n]))
        units = data.draw(st.integers(1, left[line_id]))
        amounts = cancellation_amounts(
            order,
            before=before,
            cancelling={line_id: units},
            shipping_refunded_before=refunded_shipping,
            partial_shipping=policy,
        )
        assert amounts.goods >= 0 and amounts.shipping >= 0
        total += amounts.total
        refunded_shipping += amounts.shipping
        before[line_id] = before.get(line_id, 0) + units
        left[line_id] -= units
        assert amounts.closes_order == (not any(left.values()))
    assert total == paid


def _refunds(session: Session) -> list[tuple[int, str]]:
    session.expire_all()
    return [(r.amount, r.currency) for r in session.scalars(select(SandboxRefund))]


def test_a_partial_jpy_cancellation_refunds_the_lines_after_discounts_then_the_rest(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    order = cancellations.put_order(
        currency="JPY",
        shipping=800,
        lines=[
            {
                "external_id": "A",
                "sku": "TEA",
                "title": "煎茶 100g",
                "quantity": 3,
                "unit_price": {"amount": 400, "currency": "JPY"},
                "discount": {"amount": 200, "currency": "JPY"},
            },
            {
                "external_id": "B",
                "sku": "POT",
                "title": "急須",
                "quantity": 1,
                "unit_price": {"amount": 5000, "currency": "JPY"},
            },
        ],
    )
    assert order["total"]["amount"] == 6800
    customer = cancellations.customer(order)
    tea = shop.line_id(order, "A")

    one = cancellations.cancel(customer, [{"line_id": tea, "quantity": 1}])
    two = cancellations.cancel(customer, [{"line_id": tea, "quantity": 2}])
    rest = cancellations.cancel(customer)

    assert [r.status_code for r in (one, two, rest)] == [201, 201, 201]
    assert [
        (r.json["goods_amount"]["amount"], r.json["shipping_amount"]["amount"])
        for r in (
            one,
            two,
            rest,
        )
    ] == [(333, 0), (667, 0), (5000, 800)]
    assert one.json["message"] == (
        "ご注文 #6001 の一部の商品をキャンセルしました。"
        "¥333をご注文時のお支払い方法へ返金いたします。"
    )
    assert [line["title"] for line in rest.json["lines"]] == ["急須"]
    shop.run_jobs()
    assert _refunds(session) == [(333, "JPY"), (667, "JPY"), (5800, "JPY")]


@pytest.fixture
def proportional_shipping(configure: Callable[..., None]) -> None:
    """The shop gives back the cancelled goods' share of shipping on partial cancellations."""
    configure(REFUND_SHIPPING_ON_PARTIAL_CANCEL="proportional")


USD_LINES = [
    {
        "external_id": "SHIRT",
        "sku": "OXF-M",
        "title": "Oxford shirt M",
        "quantity": 2,
        "unit_price": {"amount": 3000, "currency": "USD"},
    },
    {
        "external_id": "BELT",
        "sku": "BELT-32",
        "title": "Leather belt 32",
        "quantity": 1,
        "unit_price": {"amount": 4000, "currency": "USD"},
    },
]


def test_a_usd_cancellation_takes_the_lines_share_of_the_order_discount(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    # $100.00 of goods, a $10.00 order discount, $5.00 shipping: $95.00 paid.
    order = cancellations.put_order(
        currency="USD",
        lines=USD_LINES,
        discount=1000,
        shipping=500,
        email_address="emily@example.com",
        locale="en",
    )
    assert order["total"]["amount"] == 9500
    customer = cancellations.customer(order)

    shirt = cancellations.cancel(
        customer, [{"line_id": shop.line_id(order, "SHIRT"), "quantity": 1}]
    )
    rest = cancellations.cancel(customer)

    # A shirt is $30.00 less its $6.00 share of the discount's $6.00 for the two.
    assert shirt.json["refund"]["amount"] == {"amount": 2700, "currency": "USD"}
    assert shirt.json["message"] == (
        "The items you chose have been cancelled from your order #6001. "
        "We will refund 27.00 USD to your original payment method."
    )
    assert rest.json["refund"]["amount"] == {"amount": 6800, "currency": "USD"}
    shop.run_jobs()
    assert _refunds(session) == [(2700, "USD"), (6800, "USD")]


def test_with_proportional_shipping_a_partial_cancellation_gives_back_its_share(
    shop: Shop, cancellations: Cancellations, session: Session, proportional_shipping: None
) -> None:
    order = cancellations.put_order(currency="USD", lines=USD_LINES, discount=1000, shipping=500)
    customer = cancellations.customer(order)

    shirt = cancellations.cancel(
        customer, [{"line_id": shop.line_id(order, "SHIRT"), "quantity": 1}]
    )
    rest = cancellations.cancel(customer)

    assert shirt.json["shipping_amount"]["amount"] == 150  # 500 x 2700 / 9000
    assert rest.json["shipping_amount"]["amount"] == 350
    shop.run_jobs()
    assert sum(amount for amount, _ in _refunds(session)) == 9500


def test_money_refunded_elsewhere_is_never_refunded_again(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    order = cancellations.put_order(refunded=100000)  # refunded in the shop's admin
    response = cancellations.cancel(cancellations.customer(order))
    assert response.status_code == 201
    assert response.json["goods_amount"]["amount"] == 145900
    assert response.json["refund"]["amount"]["amount"] == 45900
    shop.run_jobs()
    assert _refunds(session) == [(45900, "JPY")]
    assert session.scalars(select(Refund)).one().amount == 45900


def test_cancelling_caps_its_refund_by_what_is_on_its_way(
    session: Session, cancellations: Cancellations
) -> None:
    publish_default_rules(session)
    order = cancellations.put_order(fulfillment_status="allocated")
    on_its_way_but(session, "6001", 100)

    created = cancellations.cancel(cancellations.customer(order))

    assert created.status_code == 201, created.json
    cancelled = select(Refund.amount).where(Refund.cancellation_id.is_not(None))
    assert session.scalars(cancelled).all() == [100]
