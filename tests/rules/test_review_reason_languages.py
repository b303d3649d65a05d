"""A review reason is one text, or one per language shown in the staff member's."""

from __future__ import annotations

import pytest

from rules import RuleSetInvalid, default_rule_set, validate_rule_set
from rules.actions import Action, Message, text_in
from tests.rules.rules_helpers import rule_set


def _document(reason: object) -> dict:
    condition = {"fact": "is_final_sale", "op": "==", "value": True}
    action = {"outcome": "review", "review_reason": reason}
    return rule_set({"name": "look", "condition": condition, "action": action})


def test_a_reason_in_both_languages_is_kept_and_read_in_each() -> None:
    checked = validate_rule_set(_document({"ja": "確認してください", "en": "check it"}))
    action = Action.from_dict(checked["rules"][0]["action"])

    assert action.review_reason == Message("確認してください", "check it")
    assert action.review_reason_in("ja") == "確認してください"
    assert action.review_reason_in("en") == "check it"
    assert action.as_dict()["review_reason"] == {"ja": "確認してください", "en": "check it"}


def test_a_plain_reason_stays_valid_and_reads_the_same_in_both() -> None:
    action = Action.from_dict(validate_rule_set(_document("check it"))["rules"][0]["action"])

    assert action.review_reason_in("ja") == action.review_reason_in("en") == "check it"
    assert text_in({"ja": "確認", "en": "check"}, "ja") == "確認"


@pytest.mark.parametrize("reason", [{"ja": "確認してください"}, {"ja": "", "en": "x"}, "", 3])
def test_a_reason_missing_a_language_or_empty_is_refused(reason: object) -> None:
    with pytest.raises(RuleSetInvalid) as refused:
        validate_rule_set(_document(reason))
    assert any("review_reason" in error["path"] for error in refused.value.errors)


def test_the_default_rules_give_every_review_reason_in_both_languages() -> None:
    reasons = [
        rule["action"]["review_reason"]
        for rule in default_rule_set()["rules"]
        if rule["action"]["outcome"] == "review"
    ]
    assert reasons and all(set(reason) == {"ja", "en"} for reason in reasons)
