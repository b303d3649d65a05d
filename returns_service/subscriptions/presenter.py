"""A subscription cancellation flow as the customer and staff see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from returns_service.events import Event, timeline
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation
from returns_service.subscriptions.offers import title
from returns_service.subscriptions.operations import SUBJECT, subscription_name

_MESSAGES = {
    "offers": {
        "ja": "解約の前に、こちらのご提案はいかがでしょうか。どれも合わない場合は、"
        "解約を確定してください。",
        "en": "Before you go: would one of these suit you better? If not, confirm the "
        "cancellation.",
    },
    FlowStatus.OFFERED: {
        "ja": "内容をご確認のうえ、解約を確定してください。",
        "en": "Please confirm to cancel your subscription.",
    },
    FlowStatus.SAVED: {
        "ja": "ご提案をお受けいただきありがとうございます。定期便は変更後の内容で続きます。",
        "en": "Thank you: your subscription continues with the change you chose.",
    },
    FlowStatus.CANCELLED: {
        "ja": "定期便の解約を承りました。",
        "en": "Your subscription is cancelled.",
    },
    FlowStatus.SUPERSEDED: {
        "ja": "このお申し込みは、新しいお申し込みに置き換えられました。",
        "en": "This request was replaced by a newer one.",
    },
}


@dataclass
class FlowView:
    """Everything the API shows of a flow, in one object for the schema to dump."""

    flow: SubscriptionCancellation
    subscription_name: str
    message: str
    offers: list[dict[str, Any]]
    timeline: list[Event]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.flow, name)


def present(session: Session, flow: SubscriptionCancellation, locale: str) -> FlowView:
    """Gather what the API shows of a flow, the texts in ``locale``."""
    key: Any = flow.status
    if flow.status is FlowStatus.OFFERED and flow.offers:
        key = "offers"
    return FlowView(
        flow=flow,
        subscription_name=subscription_name(flow.order),
        message=_MESSAGES[key][locale],
        offers=[offer | {"title": title(offer, locale)} for offer in flow.offers],
        timeline=timeline(session, SUBJECT, flow.id),
    )
