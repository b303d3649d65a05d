"""The demo shop's catalogue: the products its orders bought, with sizes and colours."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.catalogue.operations import upsert_product
from returns_service.catalogue.schemas import ProductUpsertSchema

#: The products of the demo orders' SKUs, with variants no demo order bought, so that the
#: exchange picker has sizes and colours to offer, some sold out, some dearer:
#: product id, title, type, option names, [(sku, option values, JPY, USD cents, stock)].
CATALOGUE: list[
    tuple[str, str, str, list[str], list[tuple[str, tuple[str, ...], int, int, int]]]
] = [
    (
        "demo-tee",
        "オーガニックコットンTシャツ",
        "apparel",
        ["カラー", "サイズ"],
        [
            ("TEE-WHT-M", ("白", "M"), 3900, 2900, 20),
            ("TEE-WHT-L", ("白", "L"), 3900, 2900, 20),
            ("TEE-NVY-M", ("紺", "M"), 3900, 2900, 6),
            ("TEE-NVY-L", ("紺", "L"), 3900, 2900, 0),
        ],
    ),
    (
        "demo-denim",
        "セルビッジデニム",
        "apparel",
        ["ウエスト"],
        [
            ("DNM-IND-30", ("30",), 18900, 14900, 20),
            ("DNM-IND-32", ("32",), 18900, 14900, 20),
            ("DNM-IND-34", ("34",), 19800, 15500, 2),
        ],
    ),
    (
        "demo-sneakers",
        "レザースニーカー 黒",
        "shoes",
        ["サイズ"],
        [
            ("SNK-BLK-26", ("26cm",), 24200, 17900, 20),
            ("SNK-BLK-27", ("27cm",), 24200, 17900, 1),
            ("SNK-BLK-28", ("28cm",), 24200, 17900, 0),
        ],
    ),
    ("demo-mug", "波佐見焼マグ", "homeware", [], [("MUG-HASAMI", (), 1320, 900, 20)]),
    ("demo-kettle", "銅のやかん", "homeware", [], [("KETTLE-CU", (), 128000, 98000, 20)]),
    ("demo-socks", "靴下3足組", "apparel", [], [("SOCK-3P", (), 1100, 800, 20)]),
    (
        "demo-coffee",
        "スペシャルティコーヒー定期便",
        "food",
        [],
        [("COFFEE-SUB", (), 3240, 2400, 20)],
    ),
    ("demo-scarf", "ウールマフラー(セール)", "apparel", [], [("SALE-SCARF", (), 2900, 1900, 20)]),
]


def seed_catalogue(session: Session, now: datetime) -> None:
    """Products with their variants, prices in yen and dollars, and stock per SKU."""
    schema = ProductUpsertSchema()
    for external_id, title, product_type, option_names, variants in CATALOGUE:
        document = {
            "title": title,
            "product_type": product_type,
            "options": option_names,
            "variants": [
                {
                    "external_id": f"{external_id}:{sku}",
                    "sku": sku,
                    "title": " / ".join(values),
                    "options": [
                        {"name": name, "value": value}
                        for name, value in zip(option_names, values, strict=True)
                    ],
                    "price": {"amount": jpy, "currency": "JPY"},
                    "presentment_prices": [{"amount": usd, "currency": "USD"}],
                    "stock": stock,
                }
                for sku, values, jpy, usd, stock in variants
            ],
        }
        upsert_product(session, external_id, schema.load(document), now)
