"""The fact registry: every fact a rule may test, declared once.

Validation, the admin editor and the documentation all read this list, so a fact
added here is known everywhere at once.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class FactType(StrEnum):
    """The value type of a fact, which decides the operators it allows."""

    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"
    STRING_LIST = "string_list"


class Scope(StrEnum):
    """The kind of request a rule set decides, and so the facts it can see."""

    RETURN = "return"
    CANCELLATION = "cancellation"


@dataclass(frozen=True, slots=True)
class Text:
    """A short text in Japanese and English."""

    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact a condition can test: its type, its meaning and where it is available."""

    name: str
    type: FactType
    label: Text
    description: Text
    scopes: frozenset[Scope]
    unit: str | None = None
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


RETURN_REASONS = (
    "COLOR",
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "OTHER",
    "SIZE_TOO_LARGE",
    "SIZE_TOO_SMALL",
    "STYLE",
    "UNWANTED",
    "WRONG_ITEM",
)
RESOLUTIONS = ("refund", "exchange", "store_credit")
SHIPMENT_STATUSES = (
    "pending",
    "label_created",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "exception",
    "returned_to_sender",
)
FULFILLMENT_STATUSES = ("unfulfilled", "allocated", "picking", "packed", "shipped")
CANCEL_SCOPES = ("order", "lines")

_RETURN = frozenset({Scope.RETURN})
_CANCELLATION = frozenset({Scope.CANCELLATION})
# Order and customer facts mean the same thing whether a line is returned or cancelled.
_BOTH = frozenset(Scope)
#: The unit of the facts that are sums of money, in the order's currency.
MINOR_UNITS = "minor units of `currency`"


_ALL = (
    Fact(
        "reason",
        FactType.ENUM,
        Text("返品理由", "Return reason"),
        Text(
            "お客様が選んだ返品理由 (Shopify の理由コード)",
            "The reason the customer chose (Shopify's codes)",
        ),
        scopes=_RETURN,
        allowed=RETURN_REASONS,
    ),
    Fact(
        "resolution",
        FactType.ENUM,
        Text("希望する対応", "Requested resolution"),
        Text("返金・交換・ストアクレジットのどれを希望したか", "Refund, exchange or store credit"),
        scopes=_RETURN,
        allowed=RESOLUTIONS,
    ),
    Fact(
        "days_since_order",
        FactType.INTEGER,
        Text("注文からの日数", "Days since order"),
        Text("注文日から申請日までの日数", "Whole days from the order to the request"),
        scopes=_BOTH,
        unit="days",
        minimum=0,
    ),
    Fact(
        "days_since_delivery",
        FactType.INTEGER,
        Text("配達からの日数", "Days since delivery"),
        Text(
            "配達日から申請日までの日数。未配達なら不明",
            "Whole days since delivery; null if not delivered",
        ),
        scopes=_RETURN,
        unit="days",
        nullable=True,
        minimum=0,
    ),
    Fact(
        "delivered_on",
        FactType.DATE,
        Text("配達日", "Delivered on"),
        Text(
            "配達日 (YYYY-MM-DD)。未配達なら不明",
            "Delivery date (YYYY-MM-DD); null if not delivered",
        ),
        scopes=_RETURN,
        nullable=True,
    ),
    Fact(
        "shipment_status",
        FactType.ENUM,
        Text("配送状況", "Shipment status"),
        Text("この明細の出荷の最新の配送状況", "Latest tracking status of the line's shipment"),
        scopes=_RETURN,
        nullable=True,
        allowed=SHIPMENT_STATUSES,
    ),
    Fact(
        "unit_price",
        FactType.INTEGER,
        Text("単価", "Unit price"),
        Text("割引後の 1 点あたりの価格", "Price of one unit after discounts"),
        scopes=_RETURN,
        unit=MINOR_UNITS,
        minimum=0,
    ),
    Fact(
        "line_total",
        FactType.INTEGER,
        Text("明細合計", "Line total"),
        Text("返品する数量分の金額", "Price of the quantity being returned"),
        scopes=_RETURN,
        unit=MINOR_UNITS,
        minimum=0,
    ),
    Fact(
        "order_total",
        FactType.INTEGER,
        Text("注文合計", "Order total"),
        Text("注文全体の合計金額", "Total of the whole order"),
        scopes=_BOTH,
        unit=MINOR_UNITS,
        minimum=0,
    ),
    Fact(
        "currency",
        FactType.STRING,
        Text("通貨", "Currency"),
        Text("注文の通貨 (ISO 4217、例: JPY)", "The order's currency (ISO 4217, e.g. JPY)"),
        scopes=_BOTH,
    ),
    Fact(
        "sku",
        FactType.STRING,
        Text("SKU", "SKU"),
        Text("商品の SKU", "The item's SKU"),
        scopes=_RETURN,
    ),
    Fact(
        "product_type",
        FactType.STRING,
        Text("商品タイプ", "Product type"),
        Text("ショップで設定した商品タイプ", "The product type set in the shop"),
        scopes=_RETURN,
    ),
    Fact(
        "product_tags",
        FactType.STRING_LIST,
        Text("商品タグ", "Product tags"),
        Text("商品に付けたタグ", "The product's tags"),
        scopes=_RETURN,
    ),
    Fact(
        "quantity",
        FactType.INTEGER,
        Text("数量", "Quantity"),
        Text("返品する数量", "Units being returned"),
        scopes=_RETURN,
        minimum=0,
    ),
    Fact(
        "is_final_sale",
        FactType.BOOLEAN,
        Text("返品不可商品", "Final sale"),
        Text("返品不可として販売した商品か", "Whether the item was sold as final sale"),
        scopes=_RETURN,
    ),
    Fact(
        "customer_returns_365d",
        FactType.INTEGER,
        Text("過去 1 年の返品数", "Returns in 365 days"),
        Text(
            "お客様が過去 365 日に返品した明細の数",
            "Lines the customer returned in the last 365 days",
        ),
        scopes=_RETURN,
        minimum=0,
    ),
    Fact(
        "customer_return_rate_365d",
        FactType.NUMBER,
        Text("過去 1 年の返品率", "Return rate in 365 days"),
        Text(
            "過去 365 日に購入した明細のうち返品した割合",
            "Share of lines bought in 365 days that were returned",
        ),
        scopes=_RETURN,
        minimum=0,
        maximum=1,
    ),
    Fact(
        "customer_orders",
        FactType.INTEGER,
        Text("注文回数", "Customer's orders"),
        Text("お客様のこれまでの注文数", "Orders the customer has placed so far"),
        scopes=_BOTH,
        minimum=0,
    ),
    Fact(
        "payment_method",
        FactType.STRING,
        Text("支払い方法", "Payment method"),
        Text("注文の支払い方法 (例: card, cod)", "How the order was paid (e.g. card, cod)"),
        scopes=_BOTH,
    ),
    Fact(
        "shipping_country",
        FactType.STRING,
        Text("配送先の国", "Shipping country"),
        Text("配送先の国コード (ISO 3166-1 alpha-2)", "Country shipped to (ISO 3166-1 alpha-2)"),
        scopes=_BOTH,
    ),
    Fact(
        "has_photos",
        FactType.BOOLEAN,
        Text("写真あり", "Has photos"),
        Text("お客様が申請に写真を添付したか", "Whether the customer attached photos"),
        scopes=_RETURN,
    ),
    Fact(
        "is_subscription",
        FactType.BOOLEAN,
        Text("定期購入", "Subscription"),
        Text("定期購入の注文か", "Whether the order belongs to a subscription"),
        scopes=_BOTH,
    ),
    Fact(
        "hours_since_order",
        FactType.NUMBER,
        Text("注文からの時間", "Hours since order"),
        Text(
            "注文からキャンセル申請までの時間", "Hours from the order to the cancellation request"
        ),
        scopes=_CANCELLATION,
        unit="hours",
        minimum=0,
    ),
    Fact(
        "fulfillment_status",
        FactType.ENUM,
        Text("出荷作業の状況", "Fulfillment status"),
        Text("倉庫での作業の進み具合", "How far the warehouse has got with the order"),
        scopes=_CANCELLATION,
        allowed=FULFILLMENT_STATUSES,
    ),
    Fact(
        "is_made_to_order",
        FactType.BOOLEAN,
        Text("受注生産", "Made to order"),
        Text("受注生産の商品を含むか", "Whether it includes made-to-order items"),
        scopes=_CANCELLATION,
    ),
    Fact(
        "cancel_scope",
        FactType.ENUM,
        Text("キャンセル範囲", "Cancellation scope"),
        Text("注文全体か一部の明細か", "The whole order or some lines"),
        scopes=_CANCELLATION,
        allowed=CANCEL_SCOPES,
    ),
)

FACTS: Mapping[str, Fact] = MappingProxyType({fact.name: fact for fact in _ALL})


def facts_in(scope: Scope) -> Mapping[str, Fact]:
    """Return the facts a rule set of `scope` may test, in registry order."""
    return {name: fact for name, fact in FACTS.items() if scope in fact.scopes}
