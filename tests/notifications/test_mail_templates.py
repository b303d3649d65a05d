"""Every kind of e-mail renders in Japanese and English with what the customer needs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from returns_service.config import LOCALES, Settings
from returns_service.notifications.email import (
    TEMPLATES_DIR,
    format_date,
    render_email,
    template_name,
)
from returns_service.notifications.mail_kinds import KINDS, check_context
from returns_service.shop import ShopSettings

SHOP = ShopSettings.from_config(
    Settings(shop_name="デモショップ", public_url="https://shop.test").as_config()
)
ITEMS = [{"name": "リネンシャツ（M）", "quantity": 1}, {"name": "Canvas tote", "quantity": 2}]
RMA = {"customer_name": "山田 花子", "rma": "RMA-10042", "order_number": "#1042"}

#: One representative context per kind.
CONTEXTS: dict[str, dict[str, Any]] = {
    "return_received": {**RMA, "items": ITEMS},
    "return_approved": {
        **RMA,
        "items": ITEMS,
        "method": "dropoff",
        "return_address": "〒135-0063\n東京都江東区有明1-2-3 返品センター",
        "deadline": datetime(2026, 12, 10, 15, 30, tzinfo=UTC),
    },
    "return_rejected": {**RMA, "message": "セール品は返品をお受けしておりません。"},
    "return_review": RMA,
    "return_in_transit": {**RMA, "carrier": "ヤマト運輸", "tracking_number": "4912-3456-7890"},
    "return_received_at_warehouse": RMA,
    "refund_issued": {
        **RMA,
        "refund": {"amount": 12800, "currency": "JPY"},
        "method": "original_payment",
    },
    "exchange_shipped": {**RMA, "items": ITEMS, "tracking_number": "TRK-55"},
    "return_expired": {**RMA, "deadline": "2026-12-10T15:30:00+00:00"},
    "return_cancelled": RMA,
    "order_cancelled": {
        "customer_name": "Jane Doe",
        "order_number": "#2001",
        "items": ITEMS,
        "refund": {"amount": 12800, "currency": "USD"},
    },
    "cancellation_pending_stop": {"customer_name": "Jane", "order_number": "#2001", "items": ITEMS},
    "cancellation_stop_failed": {"customer_name": "Jane", "order_number": "#2001", "items": ITEMS},
    "subscription_paused": {
        "customer_name": "Jane",
        "subscription_name": "コーヒー定期便",
        "resume_date": date(2027, 2, 1),
    },
    "subscription_skipped": {
        "customer_name": "Jane",
        "subscription_name": "コーヒー定期便",
        "skipped_date": "2026-12-15",
        "next_date": "2027-01-15",
    },
    "subscription_switched": {
        "customer_name": "Jane",
        "subscription_name": "コーヒー定期便",
        "new_product": "デカフェ定期便",
    },
    "subscription_discounted": {
        "customer_name": "Jane",
        "subscription_name": "コーヒー定期便",
        "discount_percent": 20,
        "discount_deliveries": 3,
    },
    "subscription_cancelled": {
        "customer_name": "Jane",
        "subscription_name": "コーヒー定期便",
        "last_date": "2026-12-15",
    },
    "cases_overdue": {
        "customer_name": "鈴木",
        "cases": [
            {
                "reference": "RMA-10042",
                "order_number": "#1042",
                "priority": "urgent",
                "overdue_for": ["first_response"],
                "due_at": "2026-12-02 15:00",
            }
        ],
    },
    "return_rate_jump": {
        "customer_name": "鈴木",
        "jumps": [
            {
                "sku": "MUG",
                "metric": "return_rate",
                "reason": None,
                "observed": 8,
                "trials": 50,
                "expected": 2.5,
                "window_start": "2026-11-24",
                "window_end": "2026-11-30",
            },
            {
                "sku": "MUG",
                "metric": "reason_share",
                "reason": "DEFECTIVE",
                "observed": 6,
                "trials": 8,
                "expected": 0.8,
                "window_start": "2026-11-24",
                "window_end": "2026-11-30",
            },
        ],
    },
    "satisfaction_survey": {
        "customer_name": "山田 花子",
        "reference": "RMA-10042",
        "scale": "csat",
        "links": [{"score": n, "url": f"https://shop.test/survey/t/{n}"} for n in range(1, 6)],
    },
    "webhook_endpoint_disabled": {
        "customer_name": "Admin",
        "endpoint_url": "https://erp.example.com/hooks",
        "endpoint_id": 7,
        "since": "2026-12-01T03:00:00+00:00",
        "last_error": "could not reach https://erp.example.com/hooks: timed out",
    },
}

#: What each rendering must contain: (in the subject, in the body) per locale.
EXPECTED: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "return_received": {
        "ja": (["受け付けました", "RMA-10042"], ["#1042", "リネンシャツ（M） × 1", "今後の流れ"]),
        "en": (["received", "RMA-10042"], ["#1042", "Canvas tote x 2", "What happens next"]),
    },
    "return_approved": {
        "ja": (
            ["承認", "RMA-10042"],
            ["返品番号「RMA-10042」", "有明1-2-3", "2026年12月11日（金）"],
        ),
        "en": (
            ["approved"],
            ["Write the return number RMA-10042 clearly", "Friday, 11 December 2026"],
        ),
    },
    "return_rejected": {
        "ja": (["お受けできません"], ["セール品は返品をお受けしておりません。"]),
        "en": (["could not accept"], ["セール品は返品をお受けしておりません。", "Reason"]),
    },
    "return_review": {
        "ja": (["確認"], ["担当者", "保管"]),
        "en": (["reviewed"], ["member of our team", "do not send them yet"]),
    },
    "return_in_transit": {
        "ja": (["発送"], ["ヤマト運輸", "4912-3456-7890"]),
        "en": (["on its way"], ["Carrier: ヤマト運輸", "Tracking number: 4912-3456-7890"]),
    },
    "return_received_at_warehouse": {
        "ja": (["到着"], ["倉庫に到着", "確認"]),
        "en": (["arrived"], ["warehouse", "checking"]),
    },
    "refund_issued": {
        "ja": (["返金", "#1042"], ["￥12,800", "ご注文時のお支払い方法", "5〜10営業日"]),
        "en": (["refund", "#1042"], ["¥12,800", "original payment method", "5-10 business days"]),
    },
    "exchange_shipped": {
        "ja": (["交換の商品を発送"], ["TRK-55", "Canvas tote × 2"]),
        "en": (["has shipped"], ["Tracking number: TRK-55", "Canvas tote x 2"]),
    },
    "return_expired": {
        "ja": (["終了"], ["2026年12月11日（金）までに", "お問い合わせ"]),
        "en": (["expired"], ["by Friday, 11 December 2026", "closed"]),
    },
    "return_cancelled": {
        "ja": (["取り消しました"], ["返送いただく必要はありません"]),
        "en": (["cancelled"], ["no need to send anything back"]),
    },
    "order_cancelled": {
        "ja": (["キャンセル", "#2001"], ["$128.00", "リネンシャツ（M） × 1"]),
        "en": (["cancelled", "#2001"], ["$128.00", "original payment method"]),
    },
    "cancellation_pending_stop": {
        "ja": (["キャンセル", "#2001"], ["倉庫に発送の停止を依頼"]),
        "en": (["trying to stop", "#2001"], ["asked our warehouse to stop it"]),
    },
    "cancellation_stop_failed": {
        "ja": (["キャンセルできませんでした"], ["すでに発送", "https://shop.test"]),
        "en": (["could not cancel"], ["already left", "https://shop.test"]),
    },
    "subscription_paused": {
        "ja": (["一時停止", "コーヒー定期便"], ["2027年2月1日（月）のお届けから再開"]),
        "en": (["paused"], ["resume on Monday, 1 February 2027"]),
    },
    "subscription_skipped": {
        "ja": (["スキップ"], ["2026年12月15日（火）", "2027年1月15日（金）"]),
        "en": (["skipped"], ["Tuesday, 15 December 2026", "Friday, 15 January 2027"]),
    },
    "subscription_switched": {
        "ja": (["デカフェ定期便"], ["「コーヒー定期便」から「デカフェ定期便」"]),
        "en": (["デカフェ定期便"], ['from "コーヒー定期便" to "デカフェ定期便"']),
    },
    "subscription_discounted": {
        "ja": (["割引"], ["20%の割引", "3回分"]),
        "en": (["20% off"], ["20% discount", "next 3 deliveries"]),
    },
    "subscription_cancelled": {
        "ja": (["解約"], ["2026年12月15日（火）のお届けが最後"]),
        "en": (["cancelled"], ["last delivery is on Tuesday, 15 December 2026"]),
    },
    "cases_overdue": {
        "ja": (["1件", "期限"], ["[緊急] RMA-10042", "初回回答の期限：2026-12-02 15:00"]),
        "en": (["1 case is past"], ["[Urgent] RMA-10042", "first response was due 2026-12-02"]),
    },
    "return_rate_jump": {
        "ja": (["2件の商品"], ["・MUG：返品 8点（", "理由「DEFECTIVE」が返品 8点中 6点"]),
        "en": (["2 products"], ["- MUG: 8 units returned, 2.5 expected", "DEFECTIVE in 6 of 8"]),
    },
    "satisfaction_survey": {
        "ja": (["RMA-10042"], ["1（不満）から5", "5：https://shop.test/survey/t/5", "一度だけ"]),
        "en": (["How did we do?"], ["from 1 (not satisfied)", "5: https://shop.test/survey/t/5"]),
    },
    "webhook_endpoint_disabled": {
        "ja": (["停止", "https://erp.example.com/hooks"], ["2026年12月1日（火）", "/7/deliveries"]),
        "en": (["switched off"], ["since Tuesday, 1 December 2026", "timed out"]),
    },
}

BRIEFED_KINDS = {
    "return_received",
    "return_approved",
    "return_rejected",
    "return_review",
    "return_in_transit",
    "return_received_at_warehouse",
    "refund_issued",
    "exchange_shipped",
    "return_expired",
    "return_cancelled",
    "order_cancelled",
    "cancellation_pending_stop",
    "cancellation_stop_failed",
    "subscription_paused",
    "subscription_skipped",
    "subscription_switched",
    "subscription_discounted",
    "subscription_cancelled",
    "cases_overdue",
    "satisfaction_survey",
    "return_rate_jump",
    "webhook_endpoint_disabled",
}


def test_every_kind_has_a_template_and_no_template_is_stray() -> None:
    assert set(KINDS) == BRIEFED_KINDS == set(CONTEXTS) == set(EXPECTED)
    on_disk = {p.stem for p in TEMPLATES_DIR.glob("*.txt")}
    assert on_disk - {"_layout", "_staff_layout"} == set(KINDS)
    assert [p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir()] == []  # one for every language
    for kind in KINDS:
        assert (TEMPLATES_DIR / template_name(kind)).is_file()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(BRIEFED_KINDS))
def test_each_kind_renders_with_its_key_content(kind: str, locale: str) -> None:
    rendered = render_email(kind, locale, CONTEXTS[kind], SHOP)

    in_subject, in_body = EXPECTED[kind][locale]
    for text in in_subject:
        assert text in rendered.subject
    for text in in_body:
        assert text in rendered.body
    assert "\n" not in rendered.subject and rendered.subject == rendered.subject.strip()
    name = CONTEXTS[kind]["customer_name"]
    greeting = f"{name} 様" if locale == "ja" else f"Dear {name},"
    assert rendered.body.startswith(greeting + "\n")
    assert "デモショップ" in rendered.body and "https://shop.test" in rendered.body
    assert "None" not in rendered.body and "\n\n\n" not in rendered.body


@pytest.mark.parametrize("locale", LOCALES)
def test_approved_pickup_gives_date_slot_and_address(locale: str) -> None:
    context = {
        **RMA,
        "items": ITEMS,
        "method": "pickup",
        "carrier": "Sagawa",
        "pickup_date": date(2026, 12, 3),
        "pickup_slot": "14:00-16:00",
        "pickup_address": "〒150-0001\n東京都渋谷区神宮前1-2-3",
    }
    body = render_email("return_approved", locale, context, SHOP).body

    assert "14:00-16:00" in body and "  東京都渋谷区神宮前1-2-3" in body and "Sagawa" in body
    assert ("2026年12月3日（木）" if locale == "ja" else "Thursday, 3 December 2026") in body


@pytest.mark.parametrize("locale", LOCALES)
def test_approved_keep_the_item_asks_for_nothing_back(locale: str) -> None:
    context = {**RMA, "items": ITEMS, "method": "none"}
    body = render_email("return_approved", locale, context, SHOP).body

    assert ("返送いただく必要はありません" if locale == "ja" else "keep the items") in body
    assert "RMA-10042" in body


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ja", ["$128.00", "ストアクレジット", "GIFT-7QX2", "すぐにご利用"]),
        ("en", ["$128.00", "store credit", "GIFT-7QX2", "ready to use now"]),
    ],
)
def test_refund_as_store_credit_gives_the_code_and_is_usable_at_once(
    locale: str, expected: list[str]
) -> None:
    context = {
        **RMA,
        "refund": {"amount": 12800, "currency": "USD"},
        "method": "store_credit",
        "store_credit_code": "GIFT-7QX2",
    }
    body = render_email("refund_issued", locale, context, SHOP).body

    for text in expected:
        assert text in body
    assert "business days" not in body and "営業日" not in body


def test_dates_are_shown_in_the_shops_time_zone() -> None:
    moment = datetime(2026, 12, 10, 15, 30, tzinfo=UTC)  # 00:30 on the 11th in Tokyo

    assert format_date(moment, "ja", "Asia/Tokyo") == "2026年12月11日（金）"
    assert format_date(moment, "en", "Europe/London") == "Thursday, 10 December 2026"
    assert format_date("2026-12-10", "en", "Asia/Tokyo") == "Thursday, 10 December 2026"


@pytest.mark.parametrize(
    ("kind", "locale", "context", "message"),
    [
        ("return_lost", "ja", {}, "unknown e-mail kind 'return_lost'"),
        ("return_review", "fr", RMA, "unknown locale 'fr'"),
        ("return_review", "en", {"customer_name": "Jane", "rma": "R1"}, "needs order_number"),
        ("return_review", "en", {**RMA, "tracking_no": "1"}, "does not take tracking_no"),
        ("return_review", "en", {**RMA, "shop_name": "X"}, "shop_name come from the settings"),
        (
            "return_approved",
            "en",
            {**RMA, "items": ITEMS, "method": "pickup", "pickup_date": "2026-12-03"},
            "needs pickup_slot, pickup_address",
        ),
        (
            "return_approved",
            "en",
            {**RMA, "items": ITEMS, "method": "courier"},
            "method must be one of pickup, dropoff, none",
        ),
        (
            "refund_issued",
            "en",
            {**RMA, "refund": {"amount": 1}, "method": "original_payment"},
            "refund must be",
        ),
        (
            "return_expired",
            "en",
            {**RMA, "deadline": datetime(2026, 12, 10)},
            "naive datetime",
        ),
    ],
)
def test_bad_contexts_are_refused_naming_the_problem(
    kind: str, locale: str, context: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_context(kind, locale, context)


def test_a_template_that_needs_more_than_given_fails_clearly() -> None:
    context = {**RMA, "items": [{"title": "no name key"}]}

    with pytest.raises(ValueError, match="cannot be rendered"):
        render_email("return_received", "en", context, SHOP)
