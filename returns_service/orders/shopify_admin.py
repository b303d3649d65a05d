"""Shopify's Admin REST API of the shop: where it is and an authenticated session.

Refunds, cancellations and stock reconciliation all talk to it; they share the version,
the address and the access token from the settings here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from returns_service.errors import PermanentJobError

API_VERSION = "2024-04"


def admin_session(api_base: str, access_token: str) -> tuple[str, requests.Session]:
    """The REST base address of the shop's Admin API, and a session that signs in to it."""
    session = requests.Session()
    session.headers.update({"X-Shopify-Access-Token": access_token, "Accept": "application/json"})
    return f"{api_base.rstrip('/')}/admin/api/{API_VERSION}", session


def admin_settings(config: Mapping[str, Any], purpose: str) -> dict[str, str]:
    """The API's address and token; a job without them fails for good, naming the setting."""
    for name in ("SHOPIFY_API_BASE", "SHOPIFY_ACCESS_TOKEN"):
        if not config.get(name):
            raise PermanentJobError(f"RETURNS_{name} is not set: cannot {purpose}")
    return {"api_base": config["SHOPIFY_API_BASE"], "access_token": config["SHOPIFY_ACCESS_TOKEN"]}
