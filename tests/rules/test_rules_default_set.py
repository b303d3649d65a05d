"""The default rule set validates and decides typical lines as a shop would expect."""

import pytest
from rules_helpers import decide_both

from rules import Outcome, RefundTiming, default_rule_set, rule_set_errors
from rules.actions import Amount, ReturnMethod, ShippingPayer

ORDINARY = {
    "reason": "SIZE_TOO_SMALL",
    "days_since_delivery": 10,
    "delivered_on": "2024-05-01",
    "shipment_status": "delivered",
    "currency": "JPY",
    "unit_price": 5000,
    "line_total": 5000,
    "quantity": 1,
    "is_final_sale": False,
    "customer_returns_365d": 0,
    "customer_return_rate_365d": 0.0,
    "customer_orders": 3,
}


def test_default_rule_set_is_valid():
    doc = default_rule_set()
    assert rule_set_errors(doc) == []
    assert doc["rules"][-1]["name"] == "default"


@pytest.mark.parametrize(
    ("changes", "rule", "outcome"),
    [
        ({}, "default", Outcome.APPROVE),
        ({"currency": "USD"}, "default", Outcome.APPROVE),
        ({"is_final_sale": True}, "final_sale", Outcome.REJECT),
        ({"is_final_sale": True, "reason": "DEFECTIVE"}, "final_sale", Outcome.REJECT),
        (
            {"days_since_delivery": None, "delivered_on": None, "shipment_status": "in_transit"},
            "not_delivered_yet",
            Outcome.REVIEW,
        ),
        ({"days_since_delivery": 30}, "default", Outcome.APPROVE),
        ({"days_since_delivery": 31}, "outside_return_window", Outcome.REJECT),
        ({"customer_returns_365d": 5}, "serial_returner", Outcome.REVIEW),
        ({"customer_return_rate_365d": 0.5, "customer_orders": 4}, "serial_returner", "review"),
        ({"customer_return_rate_365d": 0.5, "customer_orders": 3}, "default", Outcome.APPROVE),
        ({"line_total": 100_000}, "high_value_jpy", Outcome.REVIEW),
        ({"line_total": 99_999}, "default", Outcome.APPROVE),
        ({"currency": "USD", "line_total": 100_000}, "high_value_usd", Outcome.REVIEW),
        ({"unit_price": 1499}, "low_price_keep_item_jpy", Outcome.APPROVE_KEEP_ITEM),
        ({"unit_price": 1500}, "default", Outcome.APPROVE),
        ({"currency": "USD", "unit_price": 999}, "low_price_keep_item_usd", "approve_keep_item"),
        ({"currency": "USD", "unit_price": 1499}, "default", Outcome.APPROVE),
        ({"reason": "DEFECTIVE"}, "shop_at_fault", Outcome.APPROVE),
        ({"reason": "WRONG_ITEM"}, "shop_at_fault", Outcome.APPROVE),
        ({"reason": "NOT_AS_DESCRIBED"}, "shop_at_fault", Outcome.APPROVE),
        (
            {"reason": "DEFECTIVE", "unit_price": 800},
            "low_price_keep_item_jpy",
            "approve_keep_item",
        ),
    ],
)
def test_each_rule_on_representative_facts(changes, rule, outcome):
    decision = decide_both(default_rule_set(), ORDINARY | changes)
    assert (decision.rule, decision.outcome) == (rule, outcome)


def test_outside_the_window_the_message_gives_the_delivery_date():
    decision = decide_both(default_rule_set(), ORDINARY | {"days_since_delivery": 45})
    assert "2024-05-01" in decision.message["ja"]
    assert "delivered on 2024-05-01" in decision.message["en"]


def test_shop_at_fault_is_a_prepaid_pickup_refunded_on_receipt():
    action = decide_both(default_rule_set(), ORDINARY | {"reason": "DEFECTIVE"}).action
    assert action.return_method is ReturnMethod.PICKUP
    assert action.return_shipping_paid_by is ShippingPayer.SHOP
    assert action.refund_timing is RefundTiming.ON_RECEIPT


def test_everything_else_is_dropped_off_at_the_customers_cost_without_a_fee():
    action = decide_both(default_rule_set(), ORDINARY).action
    assert action.return_method is ReturnMethod.DROPOFF
    assert action.return_shipping_paid_by is ShippingPayer.CUSTOMER
    assert action.refund_timing is RefundTiming.ON_INSPECTION
    assert action.restocking_fee == Amount(percent=0)


def test_keep_the_item_is_refunded_on_approval():
    decision = decide_both(default_rule_set(), ORDINARY | {"unit_price": 1000})
    assert decision.action.refund_timing is RefundTiming.ON_APPROVAL
    assert decision.message is not None
