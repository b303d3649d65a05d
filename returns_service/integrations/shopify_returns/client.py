"""Shopify's GraphQL Admin API for returns: one POST per query or mutation."""

from collections.abc import Mapping
from typing import Any

from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.http import JsonClient
from returns_service.integrations.shopify_returns import mapping


class ShopifyReturns:
    """Request, approve, decline and close returns of one shop."""

    def __init__(self, api_base: str, access_token: str, api_version: str) -> None:
        self._http = JsonClient(
            system="Shopify",
            base_url=f"{api_base.rstrip('/')}/admin/api/{api_version}",
            headers={"X-Shopify-Access-Token": access_token},
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ShopifyReturns":
        """The client from the app settings."""
        return cls(
            config["SHOPIFY_API_BASE"],
            config["SHOPIFY_ACCESS_TOKEN"],
            config["SHOPIFY_RETURNS_API_VERSION"],
        )

    def _call(self, query: str, variables: Mapping[str, Any], field: str) -> dict[str, Any]:
        body = self._http.post("/graphql.json", {"query": query, "variables": dict(variables)})
        try:
            return mapping.payload(body, field)
        except mapping.UserErrors:
            raise
        except ValueError as exc:
            raise IntegrationError(str(exc)) from exc

    def fulfillment_lines(self, order_id: str) -> dict[str, list[tuple[str, int]]]:
        """The order's fulfillment line items by the order line item they ship."""
        body = self._http.post(
            "/graphql.json",
            {
                "query": mapping.FULFILLMENT_LINES,
                "variables": {"id": mapping.gid("Order", order_id)},
            },
        )
        if not isinstance(body, Mapping) or body.get("errors"):
            raise IntegrationError(f"Shopify could not list the order's fulfillments: {body}")
        return mapping.fulfillment_line_ids(body.get("data") or {})

    def request(self, order_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Create a REQUESTED return; answers ``{id, name, status}``."""
        variables = mapping.request_variables(order_id, items)
        return self._call(mapping.RETURN_REQUEST, variables, "returnRequest")["return"]

    def approve(self, return_id: str) -> dict[str, Any]:
        """REQUESTED to OPEN."""
        variables = {"input": {"id": return_id}}
        return self._call(mapping.RETURN_APPROVE, variables, "returnApproveRequest")["return"]

    def decline(self, return_id: str, reason: str = "OTHER") -> dict[str, Any]:
        """REQUESTED to DECLINED."""
        variables = {"input": {"id": return_id, "declineReason": reason}}
        return self._call(mapping.RETURN_DECLINE, variables, "returnDeclineRequest")["return"]

    def close(self, return_id: str) -> dict[str, Any]:
        """OPEN to CLOSED."""
        return self._call(mapping.RETURN_CLOSE, {"id": return_id}, "returnClose")["return"]

    def status(self, return_id: str) -> str:
        """The return's status as Shopify has it now."""
        return self._call(mapping.RETURN_STATUS, {"id": return_id}, "return")["status"]
