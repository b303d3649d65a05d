"""Benchmark the rule engine: compiled rule sets against hand-written Python, and simulation.

Run with `python -m bench.rules_bench` or `python bench/rules_bench.py`; exits non-zero
when a target is missed.
"""

import gc
import random
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the checkout importable without installing it.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules import (  # noqa: E402
    PastLineDecision,
    compile_rule_set,
    interpret,
    load_rule_set,
    simulate,
)

EVALUATIONS = 200_000
REPEATS = 3
PAST_LINES = 100_000
#: Compiled decisions must reach this share of hand-written throughput.
MIN_RATIO = 0.2
#: Simulating PAST_LINES must take less than this many seconds.
MAX_SIMULATION_SECONDS = 10.0

RULE_SET = """
name: bench
description: Twenty rules of the kind a busy shop ends up with.
rules:
  - name: final_sale
    condition: {fact: is_final_sale, op: "==", value: true}
    action:
      outcome: reject
      message: {ja: 返品不可の商品です。, en: Final sale items cannot be returned.}
  - name: gift_card
    condition: {fact: product_type, op: "==", value: Gift Card}
    action:
      outcome: reject
      message: {ja: ギフトカードは返品できません。, en: Gift cards cannot be returned.}
  - name: hygiene
    condition:
      all:
        - {fact: product_tags, op: contains_any, value: [hygiene, underwear, pierced-jewellery]}
        - {fact: reason, op: not_in, value: [DEFECTIVE, WRONG_ITEM]}
    action:
      outcome: reject
      message: {ja: 衛生用品は返品できません。, en: Hygiene items cannot be returned.}
  - name: not_delivered_yet
    condition: {fact: days_since_delivery, op: is_null}
    action: {outcome: review, review_reason: Not delivered yet.}
  - name: delivery_problem
    condition: {fact: shipment_status, op: in, value: [exception, returned_to_sender]}
    action: {outcome: review, review_reason: The carrier reported a problem.}
  - name: outside_return_window
    condition: {fact: days_since_delivery, op: ">", value: 30}
    action:
      outcome: reject
      message:
        ja: お届け日 {delivered_on} から30日を過ぎています。
        en: Delivered on {delivered_on}, over 30 days ago.
  - name: subscription_late
    condition:
      all:
        - {fact: is_subscription, op: "==", value: true}
        - {fact: days_since_order, op: ">", value: 14}
    action:
      outcome: reject
      message: {ja: 定期便は14日以内に。, en: Subscription boxes within 14 days.}
  - name: serial_returner
    condition:
      any:
        - {fact: customer_returns_365d, op: ">=", value: 5}
        - all:
            - {fact: customer_return_rate_365d, op: ">=", value: 0.5}
            - {fact: customer_orders, op: ">=", value: 4}
    action: {outcome: review, review_reason: Frequent returns.}
  - name: bulk_quantity
    condition: {fact: quantity, op: ">=", value: 10}
    action: {outcome: review, review_reason: Ten or more units.}
  - name: international
    condition: {fact: shipping_country, op: not_in, value: [JP, US]}
    action: {outcome: review, review_reason: Return from abroad.}
  - name: high_value_jpy
    condition:
      all:
        - {fact: currency, op: "==", value: JPY}
        - {fact: line_total, op: ">=", value: 100000}
    action: {outcome: review, review_reason: High value.}
  - name: high_value_usd
    condition:
      all:
        - {fact: currency, op: "==", value: USD}
        - {fact: line_total, op: ">=", value: 100000}
    action: {outcome: review, review_reason: High value.}
  - name: cash_on_delivery
    condition:
      all:
        - {fact: payment_method, op: "==", value: cod}
        - {fact: resolution, op: "==", value: refund}
    action: {outcome: approve, allowed_resolutions: [exchange, store_credit]}
  - name: defective_without_photos
    condition:
      all:
        - {fact: reason, op: "==", value: DEFECTIVE}
        - {fact: has_photos, op: "==", value: false}
    action: {outcome: review, review_reason: Defect claimed without photos.}
  - name: low_price_keep_item_jpy
    condition:
      all:
        - {fact: currency, op: "==", value: JPY}
        - {fact: unit_price, op: "<", value: 1500}
    action: {outcome: approve_keep_item}
  - name: low_price_keep_item_usd
    condition:
      all:
        - {fact: currency, op: "==", value: USD}
        - {fact: unit_price, op: "<", value: 1000}
    action: {outcome: approve_keep_item}
  - name: shop_at_fault
    condition: {fact: reason, op: in, value: [DEFECTIVE, WRONG_ITEM, NOT_AS_DESCRIBED]}
    action:
      outcome: approve
      return_method: pickup
      return_shipping_paid_by: shop
      refund_timing: on_receipt
  - name: clearance
    condition: {fact: sku, op: starts_with, value: CLR-}
    action: {outcome: approve, restocking_fee: {percent: 10}}
  - name: exchange_bonus
    condition: {fact: resolution, op: "==", value: exchange}
    action: {outcome: approve, bonus_credit: {percent: 5}}
  - name: default
    action:
      outcome: approve
      return_method: dropoff
      return_shipping_paid_by: customer
      restocking_fee: {percent: 0}
"""

_HYGIENE = frozenset({"hygiene", "underwear", "pierced-jewellery"})
_SHOP_AT_FAULT = ("DEFECTIVE", "WRONG_ITEM", "NOT_AS_DESCRIBED")


def hand_written(facts: Mapping[str, object]) -> str:
    """The same twenty rules as a programmer would write them; returns the rule's name."""
    get = facts.get
    if get("is_final_sale"):
        return "final_sale"
    if get("product_type") == "Gift Card":
        return "gift_card"
    reason = get("reason")
    if not _HYGIENE.isdisjoint(get("product_tags")) and reason not in ("DEFECTIVE", "WRONG_ITEM"):
        return "hygiene"
    days = get("days_since_delivery")
    if days is None:
        return "not_delivered_yet"
    if get("shipment_status") in ("exception", "returned_to_sender"):
        return "delivery_problem"
    if days > 30:
        return "outside_return_window"
    if get("is_subscription") and get("days_since_order") > 14:
        return "subscription_late"
    if get("customer_returns_365d") >= 5 or (
        get("customer_return_rate_365d") >= 0.5 and get("customer_orders") >= 4
    ):
        return "serial_returner"
    if get("quantity") >= 10:
        return "bulk_quantity"
    if get("shipping_country") not in ("JP", "US"):
        return "international"
    currency, line_total = get("currency"), get("line_total")
    if currency == "JPY" and line_total >= 100_000:
        return "high_value_jpy"
    if currency == "USD" and line_total >= 100_000:
        return "high_value_usd"
    resolution = get("resolution")
    if get("payment_method") == "cod" and resolution == "refund":
        return "cash_on_delivery"
    if reason == "DEFECTIVE" and not get("has_photos"):
        return "defective_without_photos"
    unit_price = get("unit_price")
    if currency == "JPY" and unit_price < 1500:
        return "low_price_keep_item_jpy"
    if currency == "USD" and unit_price < 1000:
        return "low_price_keep_item_usd"
    if reason in _SHOP_AT_FAULT:
        return "shop_at_fault"
    if get("sku").startswith("CLR-"):
        return "clearance"
    if resolution == "exchange":
        return "exchange_bonus"
    return "default"


_REASONS = [
    "SIZE_TOO_SMALL",
    "SIZE_TOO_LARGE",
    "UNWANTED",
    "STYLE",
    "COLOR",
    "OTHER",
    "DEFECTIVE",
    "WRONG_ITEM",
    "NOT_AS_DESCRIBED",
]
_TAGS = ["summer", "sale", "cotton", "new", "hygiene", "gift", "kids", "underwear"]


def random_facts(rng: random.Random) -> dict[str, object]:
    """Return the facts of one plausible return line."""
    currency = rng.choice(("JPY", "JPY", "JPY", "USD"))
    # Yen or cents: a median of about 4,000 either way.
    unit_price = int(rng.lognormvariate(8.3, 1.0))
    quantity = rng.choice((1, 1, 1, 1, 2, 3, 12))
    delivered = rng.random() > 0.05
    days_since_delivery = rng.randint(0, 40) if delivered else None
    return {
        "reason": rng.choice(_REASONS),
        "resolution": rng.choice(("refund", "refund", "exchange", "store_credit")),
        "days_since_order": (days_since_delivery or 0) + rng.randint(1, 7),
        "days_since_delivery": days_since_delivery,
        "delivered_on": "2025-01-15" if delivered else None,
        "shipment_status": rng.choice(("delivered",) * 30 + ("exception",)) if delivered else None,
        "unit_price": unit_price,
        "line_total": unit_price * quantity,
        "order_total": unit_price * quantity + rng.randint(0, 20_000),
        "currency": currency,
        "sku": rng.choice(("TS-", "CLR-", "JK-", "SH-")) + str(rng.randint(100, 999)),
        "product_type": rng.choice(
            ("Shirt", "Shoes", "Jacket", "Gift Card", "Bag") + ("Shirt",) * 20
        ),
        "product_tags": rng.sample(_TAGS, rng.randint(0, 3)),
        "quantity": quantity,
        "is_final_sale": rng.random() < 0.03,
        "customer_returns_365d": rng.choice((0, 0, 0, 1, 1, 2, 3, 6)),
        "customer_return_rate_365d": round(rng.random() * 0.7, 2),
        "customer_orders": rng.randint(1, 12),
        "payment_method": rng.choice(("card", "card", "card", "cod", "konbini")),
        "shipping_country": rng.choice(("JP",) * 12 + ("US",) * 4 + ("DE",)),
        "has_photos": rng.random() < 0.6,
        "is_subscription": rng.random() < 0.1,
    }


def best_rates(
    functions: list[Callable[[Mapping[str, object]], object]], facts: list
) -> list[float]:
    """Return each function's best evaluations per second over REPEATS runs through `facts`.

    The runs take turns, so that a busy machine slows all of them alike; the garbage
    collector is off while timing, as in `timeit`.
    """
    best = [float("inf")] * len(functions)
    gc.disable()
    try:
        for _ in range(REPEATS):
            for index, function in enumerate(functions):
                start = time.perf_counter()
                for item in facts:
                    function(item)
                best[index] = min(best[index], time.perf_counter() - start)
    finally:
        gc.enable()
    return [len(facts) / seconds for seconds in best]


def main() -> int:
    """Run both measurements, print the numbers and return the exit status."""
    rng = random.Random(20250115)
    doc = load_rule_set(RULE_SET)
    compiled = compile_rule_set(doc)
    facts = [random_facts(rng) for _ in range(EVALUATIONS)]
    disagreements = sum(compiled.decide(f).rule != hand_written(f) for f in facts[:20_000])
    if disagreements:
        print(f"the hand-written rules disagree with the rule set on {disagreements} lines")
        return 1

    hand_rate, compiled_rate = best_rates([hand_written, compiled.decide], facts)
    ratio = compiled_rate / hand_rate
    print(f"{len(doc['rules'])} rules, {EVALUATIONS:,} evaluations, best of {REPEATS}")
    print(f"  hand-written Python:  {hand_rate:12,.0f} decisions/s")
    print(f"  compiled rule set:    {compiled_rate:12,.0f} decisions/s")
    print(f"  ratio compiled/hand:  {ratio:.2f} (target >= {MIN_RATIO})")

    # Past decisions as an older version with a 45-day window made them.
    older = compile_rule_set(load_rule_set(RULE_SET.replace("value: 30}", "value: 45}")))
    past = []
    for index in range(PAST_LINES):
        line_facts = facts[index]
        decision = older.decide(line_facts)
        past.append(
            PastLineDecision(index // 2, index, line_facts, decision.outcome, decision.rule)
        )
    start = time.perf_counter()
    report = simulate(compiled, past)
    simulated = time.perf_counter() - start
    start = time.perf_counter()
    for line in past:
        interpret(doc, line.facts)
    interpreted = time.perf_counter() - start
    print(f"simulation over {PAST_LINES:,} past lines ({report.changed:,} change outcome)")
    print(f"  simulate (compiled):  {simulated:6.2f} s (target < {MAX_SIMULATION_SECONDS:g} s)")
    print(f"  interpreter baseline: {interpreted:6.2f} s ({interpreted / simulated:.1f}x slower)")

    missed = []
    if ratio < MIN_RATIO:
        missed.append(f"compiled/hand-written ratio {ratio:.2f} < {MIN_RATIO}")
    if simulated >= MAX_SIMULATION_SECONDS:
        missed.append(f"simulation took {simulated:.2f} s")
    for target in missed:
        print(f"TARGET MISSED: {target}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
