"""What the customer reads about a cancellation, in Japanese and English."""

from __future__ import annotations

from returns_service.money import format_money

_TEXTS = {
    "cancelled": {
        "ja": "ご注文 {order_number} をキャンセルしました。",
        "en": "Your order {order_number} has been cancelled.",
    },
    "cancelled_lines": {
        "ja": "ご注文 {order_number} の一部の商品をキャンセルしました。",
        "en": "The items you chose have been cancelled from your order {order_number}.",
    },
    "refund": {
        "ja": "{amount}をご注文時のお支払い方法へ返金いたします。",
        "en": "We will refund {amount} to your original payment method.",
    },
    "pending_stop": {
        "ja": "ご注文はすでに出荷の準備に入っているため、倉庫に出荷の停止を依頼しました。"
        "止められたかどうかをメールでお知らせします。",
        "en": "Your order is already being prepared for shipping, so we have asked the "
        "warehouse to stop it. We will e-mail you as soon as we know whether it could be "
        "stopped.",
    },
    "review": {
        "ja": "担当者がご依頼を確認し、{days}営業日以内（{date}まで）にご連絡いたします。",
        "en": "A member of our team will look at your request and reply by {date}.",
    },
    "shipped": {
        "ja": "ご注文 {order_number} はすでに発送されたため、キャンセルできません。"
        "お届け後に、こちらから返品をお申し込みいただけます: {return_url}",
        "en": "Your order {order_number} has already shipped and can no longer be cancelled. "
        "Once it has arrived, you can return it here: {return_url}",
    },
    "nothing_left": {
        "ja": "ご注文 {order_number} には、キャンセルできる商品が残っていません。",
        "en": "Nothing is left to cancel on your order {order_number}.",
    },
}


def text(key: str, locale: str, **values: str) -> str:
    """One message in the customer's language, its placeholders filled."""
    return _TEXTS[key][locale].format(**values)


def cancelled(
    locale: str, order_number: str, *, whole: bool, amount: int | None, currency: str
) -> str:
    """The lines are cancelled, and what will be refunded."""
    said = text("cancelled" if whole else "cancelled_lines", locale, order_number=order_number)
    if amount:
        gap = "" if locale == "ja" else " "
        said += gap + text("refund", locale, amount=format_money(amount, currency))
    return said
