"""The exchange picker's read: a line's product variants with options, stock and price, and
filing an exchange by the variant chosen there."""

from __future__ import annotations

from typing import Any

import rules
from returns_service.auth.models import Role
from tests.shop import Shop, product_document

DENIM = [
    ("DNM-30", "30", 12800, 5),
    ("DNM-32", "32", 12800, 3),
    ("DNM-34", "34", 13800, 0),
]


def _options(shop: Shop, headers: dict[str, str], line: int) -> Any:
    return shop.client.get(f"/api/v1/portal/exchange-options?line_id={line}", headers=headers)


def _summary(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            o["sku"],
            o["options"][0]["value"],
            o["available"],
            o["in_stock"],
            o["price_difference"]["amount"],
            o["ordered"],
        )
        for o in body["options"]
    ]


def test_a_line_offers_its_products_variants_with_stock_and_price_difference(
    shop: Shop,
) -> None:
    document = product_document(DENIM)
    document["variants"].append(
        {
            "external_id": "V-NOSKU",
            "title": "36",
            "price": {"amount": 12800, "currency": "JPY"},
            "options": [{"name": "ウエスト", "value": "36"}],
        }
    )
    product = shop.put_product(document=document)
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")

    response = _options(shop, customer, line)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["line_id"], body["title"]) == (line, "セルビッジデニム 30")
    assert body["product"] == {
        "external_id": "P-DNM",
        "title": "セルビッジデニム",
        "options": ["ウエスト"],
    }
    # The variant with no SKU cannot be held or shipped: not offered.
    assert _summary(body) == [
        ("DNM-30", "30", 5, True, 0, True),
        ("DNM-32", "32", 3, True, 0, False),
        ("DNM-34", "34", 0, False, 1000, False),
    ]
    assert body["options"][1]["variant_id"] == shop.variant_id(product, "DNM-32")
    assert body["options"][1]["price_difference"]["currency"] == "JPY"

    filed = shop.file(
        customer,
        [
            {
                "line_id": line,
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchange_variant_id": shop.variant_id(product, "DNM-32"),
            }
        ],
        resolution="exchange",
    )
    assert filed.status_code == 201, filed.json
    assert filed.json["lines"][0]["exchange_sku"] == "DNM-32"
    # The unit held for this exchange is no longer offered.
    assert _summary(_options(shop, customer, line).json)[1][2] == 2


def test_prices_in_the_orders_currency_come_from_the_presentment_prices(shop: Shop) -> None:
    document = product_document(DENIM)
    for variant, usd in zip(document["variants"], (9900, 9900, 10900), strict=True):
        variant["presentment_prices"] = [{"amount": usd, "currency": "USD"}]
    shop.put_product(document=document)
    lines = [
        {
            "external_id": "L1",
            "sku": "DNM-30",
            "title": "Selvedge denim 30",
            "quantity": 1,
            "unit_price": {"amount": 9900, "currency": "USD"},
        },
    ]
    order = shop.put_order(currency="USD", locale="en", lines=lines)
    body = _options(shop, shop.customer(), shop.line_id(order, "L1")).json
    assert [
        (o["price_difference"]["amount"], o["price_difference"]["currency"])
        for o in body["options"]
    ] == [(0, "USD"), (0, "USD"), (1000, "USD")]


def test_a_line_with_no_product_or_a_deleted_one_offers_nothing(shop: Shop) -> None:
    shop.put_product(document=product_document(DENIM))
    order = shop.put_order()
    customer = shop.customer()
    mug = _options(shop, customer, shop.line_id(order, "L2")).json
    assert (mug["product"], mug["options"]) == (None, [])
    shop.client.delete("/api/v1/products/P-DNM", headers=shop.integration)
    assert _options(shop, customer, shop.line_id(order, "L1")).json["options"] == []


def test_only_the_orders_customer_sees_its_lines(shop: Shop) -> None:
    shop.put_product(document=product_document(DENIM))
    order = shop.put_order()
    shop.put_order(external_id="5002", number="#5002", email_address="other@example.jp")
    other = shop.customer("#5002", "other@example.jp")
    line = shop.line_id(order, "L1")
    assert _options(shop, other, line).status_code == 404
    assert _options(shop, {}, line).status_code == 401
    missing = shop.client.get("/api/v1/portal/exchange-options", headers=shop.customer())
    assert missing.status_code == 422
    assert "line_id" in missing.json["errors"]["query"]


def test_filing_refuses_a_variant_not_offered_for_the_line_or_no_choice(shop: Shop) -> None:
    shop.put_product(document=product_document(DENIM))
    kettle = shop.put_product(
        "P-KETTLE",
        product_document([("KETTLE", "銅", 128000, 4)], title="銅のやかん", option="素材"),
    )
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")
    other_product = shop.file(
        customer,
        [
            {
                "line_id": line,
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchange_variant_id": shop.variant_id(kettle, "KETTLE"),
            }
        ],
        resolution="exchange",
    )
    assert other_product.status_code == 422
    assert other_product.json["errors"]["json"] == {
        "lines.0.exchange_variant_id": [
            "セルビッジデニム 30 can be exchanged only for another variant of the same product, "
            "not for KETTLE"
        ]
    }
    nothing = shop.file(
        customer,
        [{"line_id": line, "quantity": 1, "reason": "SIZE_TOO_SMALL"}],
        resolution="exchange",
    )
    assert nothing.status_code == 422
    assert "lines.0.exchange_variant_id" in nothing.json["errors"]["json"]
    assert (
        shop.client.get("/api/v1/portal/order", headers=customer).json["eligibility"][0][
            "returnable_quantity"
        ]
        == 1
    )


def test_a_rule_can_open_the_exchange_to_products_of_the_same_type(
    shop: Shop, token_for: Any
) -> None:
    shop.put_product(document=product_document(DENIM))
    chino = shop.put_product(
        "P-CHINO", product_document([("CHN-32", "32", 9800, 2)], title="チノパンツ")
    )
    kettle = shop.put_product(
        "P-KETTLE",
        product_document([("KETTLE", "銅", 128000, 4)], title="銅のやかん", option="素材")
        | {"product_type": "homeware"},
    )
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")
    chosen = {"line_id": line, "quantity": 1, "reason": "SIZE_TOO_SMALL"}

    def file(variant: int) -> Any:
        lines = [chosen | {"exchange_variant_id": variant}]
        return shop.file(customer, lines, resolution="exchange")

    # The default rules keep an exchange within the product.
    refused = file(shop.variant_id(chino, "CHN-32"))
    assert refused.status_code == 422, refused.json
    assert "only for another variant of the same product" in refused.json["message"]
    with_reason = f"/api/v1/portal/exchange-options?line_id={line}&reason=SIZE_TOO_SMALL"
    skus = [o["sku"] for o in shop.client.get(with_reason, headers=customer).json["options"]]
    assert skus == ["DNM-30", "DNM-32", "DNM-34"]

    admin = token_for(Role.ADMIN)
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["exchange_scope"] = "same_product_type"
    shop.publish_rules(document, admin)

    offered = shop.client.get(with_reason, headers=customer).json["options"]
    assert [(o["sku"], o["product_title"]) for o in offered] == [
        ("DNM-30", "セルビッジデニム"),
        ("DNM-32", "セルビッジデニム"),
        ("DNM-34", "セルビッジデニム"),
        ("CHN-32", "チノパンツ"),
    ]
    assert offered[-1]["price_difference"]["amount"] == -3000
    # Without the reason the rule for it is unknown: the product's own variants only.
    assert len(_options(shop, customer, line).json["options"]) == 3
    assert file(shop.variant_id(kettle, "KETTLE")).status_code == 422
    exchanged = file(shop.variant_id(chino, "CHN-32"))
    assert exchanged.status_code == 201, exchanged.json
    assert exchanged.json["exchanges"][0]["sku"] == "CHN-32"
    assert exchanged.json["exchanges"][0]["price_difference"]["amount"] == -3000
