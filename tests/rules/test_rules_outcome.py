"""A request's outcome follows from its lines' decisions."""

import pytest

from rules import RequestOutcome, combine, compile_rule_set

ACTIONS = {
    "reject": {"outcome": "reject", "message": {"ja": "できません", "en": "Not possible"}},
    "review": {"outcome": "review", "review_reason": "check"},
    "approve_keep_item": {"outcome": "approve_keep_item"},
}
# A line's SKU names the outcome it gets.
COMPILED = compile_rule_set(
    {
        "name": "by sku",
        "rules": [
            {
                "name": name,
                "condition": {"fact": "sku", "op": "==", "value": name},
                "action": action,
            }
            for name, action in ACTIONS.items()
        ]
        + [{"name": "approve", "action": {"outcome": "approve"}}],
    }
)


def lines(*outcomes):
    return [COMPILED.decide({"sku": outcome}) for outcome in outcomes]


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["approve"], RequestOutcome.APPROVED),
        (["approve_keep_item"], RequestOutcome.APPROVED),
        (["reject"], RequestOutcome.REJECTED),
        (["reject", "reject"], RequestOutcome.REJECTED),
        (["review"], RequestOutcome.REVIEW),
        (["approve", "reject"], RequestOutcome.APPROVED),
        (["approve_keep_item", "reject"], RequestOutcome.APPROVED),
        (["approve", "review", "reject"], RequestOutcome.REVIEW),
        (["reject", "review"], RequestOutcome.REVIEW),
    ],
)
def test_combine(outcomes, expected):
    decisions = lines(*outcomes)
    assert [decision.outcome for decision in decisions] == outcomes
    assert combine(decisions) is expected


def test_a_request_has_lines():
    with pytest.raises(ValueError, match="at least one line"):
        combine([])
