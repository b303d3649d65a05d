"""LINE Messaging API shapes: signatures, pushes and replies, webhook events, our texts.

Follows LINE's OpenAPI (``line_openapi__*`` in the shared fixtures) and the SDK's signature
test vector. No Flask, SQLAlchemy or database here.
"""

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-Line-Signature"
#: LINE takes up to 5 messages a call and 5000 characters a text message.
MAX_MESSAGES = 5
MAX_TEXT = 5000
LINK_CODE = re.compile(r"^\s*(\d{6})\s*$")
STATUS_WORDS = frozenset({"status", "状況", "ステータス"})

#: How a case's state reads to a customer: words, never our codes.
STATE_WORDS = {
    "ja": {
        "requested": "受付済み",
        "review": "担当者が確認中",
        "approved": "承認済み",
        "awaiting_parcel": "商品のご返送待ち",
        "in_transit": "返送中",
        "received": "倉庫に到着",
        "inspected": "検品済み",
        "pending_stop": "出荷の停止を依頼中",
    },
    "en": {
        "requested": "received",
        "review": "being checked by our staff",
        "approved": "approved",
        "awaiting_parcel": "waiting for your parcel",
        "in_transit": "on its way back",
        "received": "arrived at our warehouse",
        "inspected": "inspected",
        "pending_stop": "we asked the warehouse to stop it",
    },
}
TEXTS = {
    "ja": {
        "welcome": (
            "友だち追加ありがとうございます。返品・交換・キャンセルのお知らせをLINEでお受け取りに"
            "なるには、お手続きページに表示される6桁の連携コードをこのトークに送信してください。"
        ),
        "linked": "LINEアカウントの連携が完了しました。今後のお知らせはLINEでもお届けします。",
        "unknown_code": (
            "連携コードが見つからないか、有効期限が切れています。"
            "お手続きページで新しいコードを表示してください。"
        ),
        "not_linked": (
            "まだLINEアカウントが連携されていません。"
            "お手続きページに表示される6桁の連携コードを送信してください。"
        ),
        "no_open_cases": "現在お手続き中の返品・キャンセルはありません。",
        "open_cases": "お手続き中のご依頼は次のとおりです。",
        "return": "返品 {reference}（ご注文 {order_number}）：{state}",
        "cancellation": "キャンセル（ご注文 {order_number}）：{state}",
        "details": "詳しくはこちらからご確認いただけます：{url}",
        "help": "お手続きの状況を知りたい場合は「状況」と送信してください。",
    },
    "en": {
        "welcome": (
            "Thank you for adding us. To get news of your returns, exchanges and cancellations "
            "on LINE, send the 6-digit link code shown on your order page to this chat."
        ),
        "linked": "Your LINE account is linked. We will send your updates on LINE too.",
        "unknown_code": (
            "We could not find that link code, or it has expired. "
            "Please show a new one on your order page."
        ),
        "not_linked": (
            "Your LINE account is not linked yet. "
            "Please send the 6-digit link code shown on your order page."
        ),
        "no_open_cases": "You have no returns or cancellations in progress.",
        "open_cases": "Your requests in progress:",
        "return": "Return {reference} (order {order_number}): {state}",
        "cancellation": "Cancellation (order {order_number}): {state}",
        "details": "See the details here: {url}",
        "help": 'To see where your requests stand, send "status".',
    },
}


@dataclass(frozen=True)
class Incoming:
    """One webhook event we act on: who, what, and the token to reply with."""

    kind: str  # follow | unfollow | text | other
    user_id: str | None
    reply_token: str | None
    text: str
    event_id: str


@dataclass(frozen=True)
class OpenCase:
    """A customer's case still in progress, as the status answer lists it."""

    kind: str  # return | cancellation
    reference: str
    order_number: str
    state: str


def signature(channel_secret: str, body: bytes) -> str:
    """``X-Line-Signature``: base64(HMAC-SHA256(channel secret, raw body))."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(channel_secret: str, given: str | None, body: bytes) -> bool:
    """Whether the body was signed with our channel secret (constant-time comparison)."""
    if not channel_secret or not given:
        return False
    return hmac.compare_digest(signature(channel_secret, body), given)


def retry_key(message_id: str) -> str:
    """``X-Line-Retry-Key`` (a UUID) from an outbox id: the same on every attempt."""
    return str(uuid.UUID(hex=uuid.uuid5(uuid.NAMESPACE_URL, f"outbox:{message_id}").hex))


def text_messages(texts: Iterable[str]) -> list[dict[str, str]]:
    """Text message objects, long texts cut to LINE's length, at most five."""
    messages = []
    for text in texts:
        for start in range(0, max(len(text), 1), MAX_TEXT):
            messages.append({"type": "text", "text": text[start : start + MAX_TEXT]})
    return messages[:MAX_MESSAGES]


def push(to: str, texts: Sequence[str]) -> dict[str, Any]:
    """A push message request."""
    return {"to": to, "notificationDisabled": False, "messages": text_messages(texts)}


def reply(reply_token: str, texts: Sequence[str]) -> dict[str, Any]:
    """A reply message request."""
    return {"replyToken": reply_token, "messages": text_messages(texts)}


def events(payload: Any) -> list[Incoming]:
    """The events of a webhook body; unknown types are kept as ``other``."""
    found = []
    for event in (payload or {}).get("events") or []:
        source = event.get("source") or {}
        kind = event.get("type")
        message = event.get("message") or {}
        if kind == "message":
            kind = "text" if message.get("type") == "text" else "other"
        elif kind not in ("follow", "unfollow"):
            kind = "other"
        found.append(
            Incoming(
                kind=kind,
                user_id=source.get("userId") if source.get("type") == "user" else None,
                reply_token=event.get("replyToken"),
                text=str(message.get("text", "")),
                event_id=str(event.get("webhookEventId", "")),
            )
        )
    return found


def link_code(text: str) -> str | None:
    """The link code a customer sent, if the text is one."""
    match = LINK_CODE.match(text)
    return match.group(1) if match else None


def asks_status(text: str) -> bool:
    """Whether a text is the status keyword (English or Japanese)."""
    return text.strip().lower() in STATUS_WORDS


def text(locale: str, key: str, **values: str) -> str:
    """One of our LINE texts in the customer's language."""
    return TEXTS.get(locale, TEXTS["ja"])[key].format(**values)


def status_answer(locale: str, cases: Sequence[OpenCase], url: str) -> list[str]:
    """The answer to "status": each open case in words, and where to see more."""
    if not cases:
        return [text(locale, "no_open_cases")]
    words = STATE_WORDS.get(locale, STATE_WORDS["ja"])
    lines = [text(locale, "open_cases")]
    for case in cases:
        state = words.get(case.state, words["requested"])
        lines.append(
            text(
                locale,
                case.kind,
                reference=case.reference,
                order_number=case.order_number,
                state=state,
            )
        )
    return ["\n".join(lines), text(locale, "details", url=url)]


def error_detail(body: Any) -> str | None:
    """LINE's error envelope: ``{"message", "details": [{"message", "property"}]}``."""
    if not isinstance(body, Mapping) or "message" not in body:
        return None
    details = "; ".join(str(d.get("message", "")) for d in body.get("details") or [])
    return f"{body['message']} {details}".strip()
