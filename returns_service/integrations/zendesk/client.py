"""Zendesk's Tickets API with an API token."""

from collections.abc import Mapping
from typing import Any

from returns_service.integrations.http import JsonClient
from returns_service.integrations.zendesk import mapping


class Zendesk:
    """Create, note and solve tickets of one Zendesk account."""

    def __init__(self, api_base: str, email: str, api_token: str) -> None:
        self._http = JsonClient(
            system="Zendesk",
            base_url=f"{api_base.rstrip('/')}/api/v2",
            headers={},
            auth=(f"{email}/token", api_token),
            error_detail=mapping.error_detail,
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Zendesk":
        """The client from the app settings."""
        return cls(config["ZENDESK_API_BASE"], config["ZENDESK_EMAIL"], config["ZENDESK_API_TOKEN"])

    def open(self, document: dict[str, Any]) -> str:
        """Create the ticket unless one with its external id exists; its id either way."""
        external_id = document["ticket"]["external_id"]
        existing = mapping.found_ticket(
            self._http.get("/tickets.json", params={"external_id": external_id})
        )
        if existing is not None:
            return existing
        return mapping.ticket_id(self._http.post("/tickets.json", document))

    def update(self, ticket_id: str, document: dict[str, Any]) -> None:
        """Add a comment, change the status."""
        self._http.put(f"/tickets/{ticket_id}.json", document)
