"""Simulation replays past lines through a draft rule set and counts what changes."""

import json
import time

from rules import Outcome, PastLineDecision, compile_rule_set, simulate
from rules.simulation import ChangedLine, MoneyChange, RuleCount

DRAFT = compile_rule_set(
    {
        "name": "draft",
        "rules": [
            {
                "name": "late",
                "condition": {"fact": "days_since_delivery", "op": ">", "value": 30},
                "action": {"outcome": "reject", "message": {"ja": "期限切れ", "en": "Too late"}},
            },
            {
                "name": "cheap",
                "condition": {"fact": "unit_price", "op": "<", "value": 1000},
                "action": {"outcome": "approve_keep_item"},
            },
            {"name": "default", "action": {"outcome": "approve"}},
        ],
    }
)


def past(request_id, line_id, days, price, outcome, rule):
    facts = {"days_since_delivery": days, "unit_price": price}
    return PastLineDecision(request_id, line_id, facts, Outcome(outcome), rule)


# Decided under an older version: a 45-day window, no keep-the-item rule, and a review
# rule the draft drops.
PAST = [
    past("A", 1, 40, 5000, "approve", "default"),
    past("A", 2, 10, 500, "approve", "default"),
    past("B", 3, 50, 5000, "reject", "late"),
    past("C", 4, 10, 5000, "approve", "default"),
    past("C", 5, 5, 5000, "review", "old_review"),
]


def test_counts_on_a_hand_built_example():
    report = simulate(DRAFT, PAST, sample_size=2)
    assert report.total == 5
    assert report.changed == 3
    assert report.transitions == {
        (Outcome.APPROVE, Outcome.REJECT): 1,
        (Outcome.APPROVE, Outcome.APPROVE_KEEP_ITEM): 1,
        (Outcome.REJECT, Outcome.REJECT): 1,
        (Outcome.APPROVE, Outcome.APPROVE): 1,
        (Outcome.REVIEW, Outcome.APPROVE): 1,
    }
    assert report.rules == (
        RuleCount("late", before=1, after=2, gained=1, lost=0),
        RuleCount("cheap", before=0, after=1, gained=1, lost=0),
        RuleCount("default", before=3, after=2, gained=1, lost=2),
        RuleCount("old_review", before=1, after=0, gained=0, lost=1),
    )
    assert report.sample == (
        ChangedLine("A", 1, Outcome.APPROVE, Outcome.REJECT, "default", "late"),
        ChangedLine("A", 2, Outcome.APPROVE, Outcome.APPROVE_KEEP_ITEM, "default", "cheap"),
    )


def test_report_as_dict_is_json_friendly():
    report = simulate(DRAFT, PAST, sample_size=1)
    data = json.loads(json.dumps(report.as_dict()))
    assert data["total"] == 5
    assert data["changed"] == 3
    assert {"from": "review", "to": "approve", "count": 1} in data["transitions"]
    assert data["rules"][0] == {"rule": "late", "before": 1, "after": 2, "gained": 1, "lost": 0}
    assert data["sample"] == [
        {
            "request_id": "A",
            "line_id": 1,
            "before": "approve",
            "after": "reject",
            "old_rule": "default",
            "new_rule": "late",
            "amount": 0,
            "currency": "",
            "paid_as": None,
        }
    ]


def test_past_outcomes_may_be_plain_strings():
    line = PastLineDecision("A", 1, {"days_since_delivery": 40}, "approve", "default")
    report = simulate(DRAFT, [line])
    assert report.transitions == {(Outcome.APPROVE, Outcome.REJECT): 1}


def test_nothing_to_replay():
    report = simulate(DRAFT, [])
    assert (report.total, report.changed, report.transitions, report.sample) == (0, 0, {}, ())


def test_a_hundred_thousand_lines_stream_through_quickly():
    lines = (past(n, n, n % 60, n % 3000, "approve", "default") for n in range(100_000))
    start = time.perf_counter()
    report = simulate(DRAFT, lines)
    assert time.perf_counter() - start < 10
    assert report.total == 100_000
    assert len(report.sample) == 20


def _priced(line_id, days, total, resolution, outcome, rule):
    facts = {
        "days_since_delivery": days,
        "unit_price": total,
        "line_total": total,
        "currency": "JPY",
        "resolution": resolution,
    }
    return PastLineDecision("R", line_id, facts, Outcome(outcome), rule)


def test_money_counts_what_would_be_paid_back_more_or_less():
    report = simulate(
        DRAFT,
        [
            _priced(1, 40, 5000, "refund", "approve", "default"),  # now rejected: 5000 less
            _priced(2, 40, 3000, "store_credit", "approve", "default"),  # 3000 credit less
            _priced(3, 5, 7000, "refund", "review", "old_review"),  # now approved: 7000 more
            _priced(4, 40, 9000, "exchange", "approve", "default"),  # an exchange: no money
            _priced(5, 5, 800, "refund", "approve", "default"),  # kept, still refunded
        ],
    )
    assert report.money == (
        MoneyChange("JPY", "refund", more=7000, less=5000),
        MoneyChange("JPY", "store_credit", more=0, less=3000),
    )
    assert [(line.line_id, line.amount, line.paid_as) for line in report.sample] == [
        (1, 5000, "refund"),
        (2, 3000, "store_credit"),
        (3, 7000, "refund"),
        (4, 9000, None),
        (5, 800, "refund"),
    ]
    assert report.as_dict()["money"][0] == {
        "currency": "JPY",
        "paid_as": "refund",
        "more": 7000,
        "less": 5000,
        "net": 2000,
    }
