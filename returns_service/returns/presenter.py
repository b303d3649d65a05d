"""A return as the customer and staff see it: decision, next steps, refunds, timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from returns_service.catalogue.models import Variant
from returns_service.events import Event, recorded_timeline, timeline
from returns_service.notifications.formatting import day_in_words, format_date
from returns_service.refunds.models import Refund
from returns_service.refunds.operations import refunds_named
from returns_service.returns.models import (
    ExchangeStatus,
    Resolution,
    ReturnMethod,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.shop import ShopSettings

_NEXT_STEPS = {
    "review": {
        "ja": "担当者が内容を確認し、{reply_days}営業日以内（{reply_by}まで）にご連絡いたします。",
        "en": "A member of our team will review your request and reply within {reply_days} "
        "business day(s), by {reply_by}.",
    },
    "pickup": {
        "ja": "{pickup}に配送業者が集荷に伺います。商品を梱包してお待ちください。",
        "en": "The carrier will collect the parcel on {pickup}. Please have it packed.",
    },
    "dropoff": {
        "ja": "返品番号 {rma} を箱に記入し、{days}日以内に最寄りの営業所へお持ち込みください。",
        "en": "Write {rma} on the parcel and drop it at a carrier counter within {days} days.",
    },
    "keep": {
        "ja": "商品はご返送いただく必要はありません。返金の手続きを進めます。",
        "en": "There is no need to send the item back. Your refund is on its way.",
    },
    "in_transit": {
        "ja": "返品の荷物は配送中です。到着後に検品します。",
        "en": "Your parcel is on its way to us; we will inspect it on arrival.",
    },
    "received": {
        "ja": "返品の荷物が届きました。検品後に手続きを完了します。",
        "en": "We have received your parcel and will complete the return after inspection.",
    },
    "exchange_pending": {
        "ja": "交換品の発送を準備しています。発送しましたらメールでお知らせします。",
        "en": "We are preparing your replacement and will e-mail you when it ships.",
    },
    "done": {"ja": "お手続きは完了しました。", "en": "Your return is complete."},
    "closed": {"ja": "このお申し込みは終了しました。", "en": "This request is closed."},
}


@dataclass(frozen=True)
class ReplyPromise:
    """The desk's promise to a request in review: a number of business days, and the time."""

    business_days: int
    due: datetime
    timezone: str

    @classmethod
    def for_request(cls, filed_at: datetime, settings: ShopSettings) -> ReplyPromise:
        """The promise the shop's calendar and first-response setting make for a request."""
        days = settings.reply_days
        due = settings.calendar.add_business_days(filed_at, days)
        return cls(days, due, settings.timezone)


@dataclass
class ReturnView:
    """Everything the API shows of a return, in one object for the schema to dump."""

    request: ReturnRequest
    decision: dict[str, Any]
    next_steps: str
    refunds: list[Refund]
    timeline: list[Event]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.request, name)


def _next_steps(
    request: ReturnRequest, locale: str, days: int, promise: ReplyPromise | None
) -> str:
    status = request.status
    pickup = request.pickup
    if status is ReturnStatus.REVIEW:
        key = "review"
    elif status is ReturnStatus.REJECTED:
        return request.decision.get("message", "")
    elif status in (ReturnStatus.APPROVED, ReturnStatus.AWAITING_PARCEL):
        key = "pickup" if request.method is ReturnMethod.PICKUP else "dropoff"
    elif status is ReturnStatus.COMPLETED and request.method is ReturnMethod.NONE:
        key = "keep"
    elif status is ReturnStatus.IN_TRANSIT:
        key = "in_transit"
    elif status in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED):
        key = "received"
    elif status is ReturnStatus.COMPLETED and not replacements_shipped(request):
        key = "exchange_pending"
    elif status is ReturnStatus.COMPLETED:
        key = "done"
    else:
        key = "closed"
    return _NEXT_STEPS[key][locale].format(
        pickup=pickup_when(pickup.pickup_date, pickup.slot, locale) if pickup else "",
        rma=request.rma,
        days=days,
        reply_days=promise.business_days if promise else "",
        reply_by=_moment(promise.due, locale, promise.timezone) if promise else "",
    )


def replacements_shipped(request: ReturnRequest) -> bool:
    """Whether every replacement of an exchange has left (true for other resolutions)."""
    if request.resolution is not Resolution.EXCHANGE:
        return True
    live = [e for e in request.exchanges if e.status is not ExchangeStatus.RELEASED]
    return bool(live) and all(e.status is ExchangeStatus.SHIPPED for e in live)


def replacement_words(session: Session, sku: str | None) -> str:
    """A replacement as the customer chose it: its options (32 / ネイビー), not its SKU."""
    if not sku:
        return ""
    variant = session.scalar(select(Variant).where(Variant.sku == sku).order_by(Variant.id))
    if variant is None:
        return ""
    options = " / ".join(str(o.get("value", "")) for o in variant.options if isinstance(o, dict))
    return options or variant.title


def slot_words(slot: str, locale: str) -> str:
    """A pickup slot such as ``14-16`` as people read it: 14時〜16時, 14:00–16:00."""
    start, _, end = slot.partition("-")
    return f"{start}時〜{end}時" if locale == "ja" else f"{start}:00–{end}:00"


def pickup_when(day: date | None, slot: str | None, locale: str) -> str:
    """A pickup's date and slot in words: 12月5日（土）14時〜16時, Saturday 5 December 14:00–16:00.

    The date is written by Babel in the customer's language; no slot reads as any time.
    """
    ja = locale == "ja"
    words = day_in_words(day, "M月d日（E）" if ja else "EEEE d MMMM", locale) if day else ""
    if not slot:
        return words + (" 時間指定なし" if ja else ", any time")
    return words + ("" if ja else " ") + slot_words(slot, locale)


def _moment(due: datetime, locale: str, timezone: str) -> str:
    """A due time as people read it: the date, then the hour in the shop's zone."""
    clock = due.astimezone(ZoneInfo(timezone)).strftime("%H:%M")
    return f"{format_date(due, locale, timezone)} {clock}"


def present(
    session: Session,
    request: ReturnRequest,
    locale: str,
    parcel_days: int,
    promise: ReplyPromise | None = None,
    *,
    filed_now: bool = False,
) -> ReturnView:
    """Gather what the API shows of a return; ``promise`` dates the reply to one in review.

    ``filed_now``: the return was filed in this transaction, so its timeline is the events
    recorded in it, and its refunds those their ``refund.created`` events name.
    """
    if filed_now:
        events = recorded_timeline(session, "return", request.id)
        refunds = refunds_named(session, events)
    else:
        events = timeline(session, "return", request.id)
        refunds = refunds_of(session, request)
    return ReturnView(
        request=request,
        decision=shown_decision(request, locale),
        next_steps=_next_steps(request, locale, parcel_days, promise),
        refunds=refunds,
        timeline=events,
    )


def shown_decision(request: ReturnRequest, locale: str) -> dict[str, Any]:
    """The return's outcome with the rule and message of the line that decided it (the first
    line not simply approved), the message in ``locale``."""
    lines = request.lines
    deciding = next(
        (line for line in lines if line.outcome and line.outcome.value != "approve"), None
    ) or (lines[0] if lines else None)
    decision = deciding.decision if deciding else {}
    message = decision.get("message") or {}
    return {
        "outcome": request.decision.get("outcome"),
        "rule": decision.get("rule"),
        "message": message.get(locale) if isinstance(message, dict) else message,
    }


def refunds_of(session: Session, request: ReturnRequest) -> list[Refund]:
    """The return's refunds, oldest first."""
    return list(session.scalars(_REFUNDS, {"request": request.id}))


#: Built once: a return's refunds in order.
_REFUNDS = select(Refund).where(Refund.return_id == bindparam("request")).order_by(Refund.id)
