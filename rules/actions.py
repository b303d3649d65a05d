"""What a matching rule does: the outcome for the line and the terms that go with it."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from fractions import Fraction
from typing import Any


class Outcome(StrEnum):
    """The decision for one line."""

    APPROVE = "approve"
    REJECT = "reject"
    REVIEW = "review"
    #: Refund without taking the item back.
    APPROVE_KEEP_ITEM = "approve_keep_item"


class RefundTiming(StrEnum):
    """When the refund (or store credit, or exchange) is issued."""

    ON_APPROVAL = "on_approval"
    ON_FIRST_CARRIER_SCAN = "on_first_carrier_scan"
    ON_RECEIPT = "on_receipt"
    ON_INSPECTION = "on_inspection"


class Resolution(StrEnum):
    """What the customer gets back."""

    REFUND = "refund"
    EXCHANGE = "exchange"
    STORE_CREDIT = "store_credit"


class ReturnMethod(StrEnum):
    """How the parcel gets to the carrier."""

    PICKUP = "pickup"
    DROPOFF = "dropoff"


class Upcharge(StrEnum):
    """What happens when an exchange's replacement costs more than the returned item."""

    #: A person collects the difference before the replacement ships (the request waits).
    COLLECT = "collect"
    #: The shop absorbs the difference.
    WAIVE = "waive"


class ExchangeScope(StrEnum):
    """Which products an exchange's replacement may be chosen from."""

    #: Another variant (size, colour) of the product bought; the default.
    SAME_PRODUCT = "same_product"
    #: Any product of the same product type.
    SAME_PRODUCT_TYPE = "same_product_type"
    #: Any product of the shop.
    ANY_PRODUCT = "any_product"


class ShippingPayer(StrEnum):
    """Who pays for the return shipping."""

    SHOP = "shop"
    CUSTOMER = "customer"


def default_refund_timing(outcome: Outcome) -> RefundTiming | None:
    """Return the refund timing an action of `outcome` gets when it names none."""
    if outcome is Outcome.APPROVE:
        return RefundTiming.ON_INSPECTION
    if outcome is Outcome.APPROVE_KEEP_ITEM:
        # Nothing comes back to inspect, so there is nothing to wait for.
        return RefundTiming.ON_APPROVAL
    return None


@dataclass(frozen=True, slots=True)
class Amount:
    """A share of the line's value in percent, or a fixed sum in the currency's minor unit."""

    percent: float | None = None
    fixed: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Amount":
        """Build from `{"percent": p}` or `{"fixed": n}`."""
        return cls(percent=data.get("percent"), fixed=data.get("fixed"))

    def as_dict(self) -> dict[str, Any]:
        """Return the document form, with the one key that is set."""
        return {"percent": self.percent} if self.fixed is None else {"fixed": self.fixed}

    def of(self, base: int) -> int:
        """This amount of ``base`` (minor units), rounded down and never more than ``base``.

        A percent is applied exactly (12.5 % of 1000 is 125), not through a float.
        """
        if self.fixed is not None:
            return min(base, self.fixed)
        share = Fraction(str(self.percent or 0)) * base / 100
        return min(base, int(share))


@dataclass(frozen=True, slots=True)
class Message:
    """A text for the customer in Japanese and English; may hold `{fact}` placeholders."""

    ja: str
    en: str

    def as_dict(self) -> dict[str, str]:
        """Return `{"ja": ..., "en": ...}`."""
        return {"ja": self.ja, "en": self.en}


@dataclass(frozen=True, slots=True)
class Action:
    """A rule's action with typed parameters; unset parameters are None."""

    outcome: Outcome
    #: Why a person must decide: one text, or a `Message` in the staff's two languages.
    review_reason: str | Message | None = None
    message: Message | None = None
    return_method: ReturnMethod | None = None
    return_shipping_paid_by: ShippingPayer | None = None
    refund_timing: RefundTiming | None = None
    restocking_fee: Amount | None = None
    allowed_resolutions: tuple[Resolution, ...] | None = None
    bonus_credit: Amount | None = None
    exchange_upcharge: Upcharge | None = None
    exchange_scope: ExchangeScope | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Action":
        """Build from an action of a document returned by `validate_rule_set`."""
        message = data.get("message")
        resolutions = data.get("allowed_resolutions")
        return cls(
            outcome=Outcome(data["outcome"]),
            review_reason=_text(data.get("review_reason")),
            message=Message(message["ja"], message["en"]) if message else None,
            return_method=_maybe(ReturnMethod, data.get("return_method")),
            return_shipping_paid_by=_maybe(ShippingPayer, data.get("return_shipping_paid_by")),
            refund_timing=_maybe(RefundTiming, data.get("refund_timing")),
            restocking_fee=_maybe(Amount.from_dict, data.get("restocking_fee")),
            allowed_resolutions=(
                None if resolutions is None else tuple(Resolution(r) for r in resolutions)
            ),
            bonus_credit=_maybe(Amount.from_dict, data.get("bonus_credit")),
            exchange_upcharge=_maybe(Upcharge, data.get("exchange_upcharge")),
            exchange_scope=_maybe(ExchangeScope, data.get("exchange_scope")),
        )

    def review_reason_in(self, locale: str) -> str:
        """The review reason in `locale` (`ja` or `en`); empty when there is none."""
        return text_in(self.review_reason, locale)

    def as_dict(self) -> dict[str, Any]:
        """Return the document form, leaving out unset parameters."""
        data: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            if isinstance(value, Amount | Message):
                value = value.as_dict()
            elif isinstance(value, tuple):
                value = [item.value for item in value]
            elif isinstance(value, StrEnum):
                value = value.value
            data[field.name] = value
        return data


def _text(value: Any) -> str | Message | None:
    if isinstance(value, Mapping):
        return Message(value["ja"], value["en"])
    return value


def text_in(value: str | Message | Mapping[str, str] | None, locale: str) -> str:
    """A text for staff in `locale`: a plain string as it is, a two-language one's part.

    Stored decisions hold the document form (`{"ja": ..., "en": ...}`); rules hold a Message.
    """
    if value is None:
        return ""
    if isinstance(value, Message):
        return value.ja if locale == "ja" else value.en
    if isinstance(value, Mapping):
        return str(value.get(locale) or value.get("en") or "")
    return str(value)


def _maybe(build: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else build(value)
