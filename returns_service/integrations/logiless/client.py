"""The LOGILESS warehouse system: sales orders, reversals, inbound deliveries, stock."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.http import JsonClient
from returns_service.integrations.logiless import mapping
from returns_service.integrations.oauth import FixedTokens, TokenEndpoint, TokenPair, TokenStore
from returns_service.integrations.warehouse_system import (
    ExpectedReturn,
    ShipmentOrder,
    ShipmentReceipt,
    StockLevel,
    StopAnswer,
    WarehouseSystem,
    register,
)

#: Pages read in one stock sync at most (100 a page): a runaway loop stops here.
MAX_PAGES = 500


@register("logiless")
class LogilessWarehouse(WarehouseSystem):
    """LOGILESS over its REST API with an OAuth 2.0 bearer token, per merchant.

    Settings: ``api_base``, ``merchant_id``, ``access_token``; to renew the token,
    ``tokens`` (where the pair is kept) and ``token_endpoint``. The token is refreshed when
    it is about to end, and once when an answer is 401. Creating is made idempotent by
    searching for our code first: LOGILESS keeps one document per code.
    """

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self._merchant = str(settings["merchant_id"])
        self._tokens: TokenStore = settings.get("tokens") or FixedTokens(
            TokenPair(settings["access_token"], "")
        )
        self._endpoint: TokenEndpoint | None = settings.get("token_endpoint")
        self._http = JsonClient(
            system="LOGILESS",
            base_url=settings["api_base"],
            headers={},
            error_detail=mapping.error_detail,
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the API with the current token; refresh it when it ends or is refused."""
        endpoint = self._endpoint
        pair = self._tokens.current()
        if endpoint is not None and pair.expiring(datetime.now(UTC)):
            pair = self._renew(endpoint, pair)
        try:
            return self._http.send(method, path, headers=_bearer(pair), **kwargs)
        except IntegrationError as exc:
            if exc.status_code != 401 or endpoint is None:
                raise
        pair = self._renew(endpoint, pair)  # refused before its time: revoked or rotated
        return self._http.send(method, path, headers=_bearer(pair), **kwargs)

    def _renew(self, endpoint: TokenEndpoint, stale: TokenPair) -> TokenPair:
        return self._tokens.renew(stale, lambda pair: endpoint.refresh(pair, datetime.now(UTC)))

    def _path(self, resource: str) -> str:
        return mapping.merchant_path(self._merchant, resource)

    def _find(self, resource: str, code: str) -> dict[str, Any] | None:
        body = self._send(
            "POST", self._path(f"{resource}/search"), json=mapping.search_by_codes([code])
        )
        found = [item for item in mapping.listed(body) if str(item.get("code")) == code]
        return found[0] if found else None

    def send_shipment(self, order: ShipmentOrder) -> ShipmentReceipt:
        """Create the sales order once: an order with our code already there is the answer."""
        existing = self._find("sales_orders", order.code)
        if existing is None:
            now = datetime.now(UTC)
            body = self._send(
                "POST", self._path("sales_orders/new"), json=mapping.sales_order(order, now)
            )
            existing = mapping.one(body)
        return ShipmentReceipt(id=str(existing["id"]), code=order.code)

    def stop_shipment(self, order_number: str) -> StopAnswer:
        """Reverse the order's sales order unless a parcel already left, and say which."""
        sales_order = self._find("sales_orders", order_number)
        if sales_order is None:
            raise IntegrationError(f"LOGILESS has no sales order {order_number!r}")
        order_id = str(sales_order["id"])
        shipped = mapping.left_warehouse(self._deliveries(order_id))
        if shipped is None:
            try:
                self._send("POST", self._path(f"sales_orders/{order_id}/reversal"), json={})
            except IntegrationError as exc:
                if exc.transient:
                    raise
                # Refused: most likely it left meanwhile; read again, or let a person see it.
                shipped = mapping.left_warehouse(self._deliveries(order_id))
                if shipped is None:
                    raise
        return mapping.stop_answer(shipped, order_id)

    def _deliveries(self, sales_order_id: str) -> list[dict[str, Any]]:
        body = self._send(
            "GET", self._path("outbound_deliveries"), params={"sales_order_id": sales_order_id}
        )
        return mapping.listed(body)

    def expect_return(self, expected: ExpectedReturn) -> str:
        """Create the expected inbound delivery once per RMA."""
        existing = self._find("inbound_deliveries", expected.code)
        if existing is None:
            now = datetime.now(UTC)
            body = self._send(
                "POST",
                self._path("inbound_deliveries/new"),
                json=mapping.inbound_delivery(expected, now),
            )
            existing = mapping.one(body)
        return str(existing["id"])

    def stock_levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """Read every page of the logical inventory summaries."""
        levels: list[StockLevel] = []
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"page": page, "limit": mapping.PAGE_LIMIT}
            if skus:
                params["article_codes"] = ",".join(skus)
            body = self._send("GET", self._path("logical_inventory_summaries"), params=params)
            levels.extend(mapping.stock_level(item) for item in mapping.listed(body))
            if not mapping.has_more(body):
                break
        return levels


def _bearer(pair: TokenPair) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair.access_token}"}
