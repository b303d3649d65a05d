"""Catalogue API: put a product with its variants and stock, read it, delete it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.catalogue import operations
from returns_service.catalogue.models import Product
from returns_service.catalogue.schemas import ProductOut, ProductUpsertSchema
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.inventory.operations import available_by_sku
from returns_service.models import utcnow
from returns_service.schemas import money

blp = Blueprint(
    "products",
    __name__,
    url_prefix="/api/v1/products",
    description="The shop's products, variants and stock per SKU",
)


def product_view(product: Product) -> dict[str, Any]:
    """A product with each variant's price and the units that can still be promised."""
    available = available_by_sku(db.session, (v.sku for v in product.variants if v.sku))
    return {
        "id": product.id,
        "external_id": product.external_id,
        "title": product.title,
        "product_type": product.product_type,
        "tags": product.tags,
        "options": product.option_names,
        "deleted": product.deleted_at is not None,
        "variants": [
            {
                "id": v.id,
                "external_id": v.external_id,
                "sku": v.sku,
                "title": v.title,
                "options": v.options,
                "price": money(v.price, v.currency),
                "inventory_item_id": v.inventory_item_id,
                "available": available[v.sku] if v.sku else None,
            }
            for v in product.variants
        ],
    }


def _product(external_id: str) -> Product:
    product = db.session.scalar(select(Product).where(Product.external_id == external_id))
    if product is None:
        raise NotFound(f"no product {external_id!r}")
    return product


@blp.route("/<external_id>")
class ProductResource(MethodView):
    """One product, addressed by the shop's id for it."""

    @require_roles(Role.INTEGRATION, Role.AGENT, Role.WAREHOUSE)
    @blp.doc(security=SECURITY)
    @blp.response(200, ProductOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="The token's role may not read products")
    @blp.alt_response(404, description="No such product")
    def get(self, external_id: str) -> dict[str, Any]:
        """Read a product with its variants and the stock of each SKU."""
        return product_view(_product(external_id))

    # The role check wraps the body parsing, as for orders: a stranger gets 401, not a schema.
    @require_roles(Role.INTEGRATION)
    @blp.doc(security=SECURITY)
    @blp.arguments(ProductUpsertSchema)
    @blp.response(200, ProductOut, description="The product was replaced")
    @blp.alt_response(201, schema=ProductOut, description="The product was created")
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the integration or admin role")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def put(self, data: dict[str, Any], external_id: str) -> tuple[dict[str, Any], int]:
        """Create or replace a product with its variants; a variant's ``stock`` sets its SKU's
        units on hand (units held for exchanges stay held)."""
        product, outcome = operations.upsert_product(db.session, external_id, data, utcnow())
        db.session.commit()
        return product_view(product), 201 if outcome == "created" else 200

    @require_roles(Role.INTEGRATION)
    @blp.doc(security=SECURITY)
    @blp.response(200, ProductOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the integration or admin role")
    @blp.alt_response(404, description="No such product")
    def delete(self, external_id: str) -> dict[str, Any]:
        """The shop no longer sells the product: it is never offered as a replacement again."""
        product = operations.delete_product(db.session, external_id, utcnow())
        db.session.commit()
        return product_view(product)
