"""Reading the shop's stock levels through Shopify's Admin REST API (version 2024-04)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import requests

from returns_service.errors import PermanentJobError
from returns_service.orders.shopify_admin import admin_session, admin_settings

TIMEOUT_SECONDS = 10.0
#: Shopify takes at most 50 inventory items per request and 250 levels per page.
ITEMS_PER_REQUEST = 50
LEVELS_PER_PAGE = 250


class ShopifyUnavailable(Exception):
    """Shopify could not be reached or asked us to come back later; the job retries."""


class ShopifyInventory:
    """Lists inventory levels, following Shopify's page links."""

    def __init__(
        self, *, api_base: str, access_token: str, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.base, self.http = admin_session(api_base, access_token)
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ShopifyInventory:
        """The client for the app's settings; without the shop's API the job fails for good."""
        return cls(**admin_settings(config, "read Shopify's stock"))

    def levels(self, inventory_item_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every level of these items at every location (``inventory_levels.json``)."""
        for start in range(0, len(inventory_item_ids), ITEMS_PER_REQUEST):
            chunk = inventory_item_ids[start : start + ITEMS_PER_REQUEST]
            url: str | None = f"{self.base}/inventory_levels.json"
            params: dict[str, Any] | None = {
                "inventory_item_ids": ",".join(chunk),
                "limit": LEVELS_PER_PAGE,
            }
            while url is not None:
                response = self._get(url, params)
                yield from response.json().get("inventory_levels") or []
                # The next page's link carries its own query (page_info); nothing else may go.
                url = response.links.get("next", {}).get("url")
                params = None

    def _get(self, url: str, params: dict[str, Any] | None) -> requests.Response:
        try:
            response = self.http.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ShopifyUnavailable(f"Shopify could not be reached: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ShopifyUnavailable(f"Shopify answered {response.status_code}; will retry")
        if response.status_code >= 400:
            raise PermanentJobError(
                f"Shopify refused the stock listing ({response.status_code}): {response.text[:500]}"
            )
        return response
