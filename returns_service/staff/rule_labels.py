"""What the rules editor shows for operators, outcomes, action choices and fact values."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from returns_service.labels import REASON_LABELS, code_label
from rules.facts import Fact

OPERATOR_LABELS = {
    "==": _l("is"),
    "!=": _l("is not"),
    "<": _l("is less than"),
    "<=": _l("is at most"),
    ">": _l("is more than"),
    ">=": _l("is at least"),
    "in": _l("is one of"),
    "not_in": _l("is none of"),
    "contains": _l("contains"),
    "contains_any": _l("contains any of"),
    "starts_with": _l("starts with"),
    "between": _l("is between"),
    "is_null": _l("is unknown"),
    "is_not_null": _l("is known"),
}

GROUP_LABELS = {
    "all": _l("All of these"),
    "any": _l("Any of these"),
    "not": _l("None of these"),
}

#: The words of action choices and of enumerated fact values, besides the shared ones.
CHOICE_LABELS = {
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "review": _l("Send to a person"),
    "on_approval": _l("On approval"),
    "on_first_carrier_scan": _l("On the carrier's first scan"),
    "on_receipt": _l("When the parcel arrives"),
    "on_inspection": _l("After inspection"),
    "shop": _l("The shop"),
    "customer": _l("The customer"),
    "collect": _l("Collect the difference"),
    "waive": _l("The shop absorbs it"),
    "same_product": _l("Same product"),
    "same_product_type": _l("Same product type"),
    "any_product": _l("Any product"),
    "percent": _l("Percent"),
    "fixed": _l("Fixed amount"),
    "unfulfilled": _l("Not started"),
    "allocated": _l("Stock allocated"),
    "picking": _l("Being picked"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "label_created": _l("Label created"),
    "out_for_delivery": _l("Out for delivery"),
    "delivered": _l("Delivered"),
    "exception": _l("Delivery problem"),
    "returned_to_sender": _l("Returned to sender"),
    "order": _l("Whole order"),
    "lines": _l("Some lines"),
    "true": _l("Yes"),
    "false": _l("No"),
}

ACTION_FIELD_LABELS = {
    "review_reason": _l("Reason shown to staff"),
    "return_method": _l("Return method"),
    "return_shipping_paid_by": _l("Return shipping paid by"),
    "refund_timing": _l("Refund issued"),
    "restocking_fee": _l("Restocking fee"),
    "allowed_resolutions": _l("Resolutions offered"),
    "bonus_credit": _l("Bonus credit"),
    "exchange_upcharge": _l("Dearer replacement"),
    "exchange_scope": _l("Replacement from"),
}


def choice_label(code: str) -> str:
    """What staff read for an action choice or a fact's enumerated value."""
    if code in REASON_LABELS:
        return str(REASON_LABELS[code])
    if code in CHOICE_LABELS:
        return str(CHOICE_LABELS[code])
    return code_label(code)


def fact_label(fact: Fact) -> str:
    """The fact's name from the registry in the reader's language."""
    return fact.label.ja if _is_japanese() else fact.label.en


def fact_description(fact: Fact) -> str:
    """The fact's description from the registry in the reader's language."""
    return fact.description.ja if _is_japanese() else fact.description.en


def _is_japanese() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "ja"
