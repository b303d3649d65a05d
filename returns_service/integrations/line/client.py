"""LINE Messaging API: push and reply with the channel access token."""

from collections.abc import Mapping, Sequence
from typing import Any

from returns_service.integrations.http import JsonClient
from returns_service.integrations.line import mapping


class Line:
    """Send text messages from the shop's LINE official account."""

    def __init__(self, api_base: str, access_token: str) -> None:
        self._http = JsonClient(
            system="LINE",
            base_url=api_base,
            headers={"Authorization": f"Bearer {access_token}"},
            error_detail=mapping.error_detail,
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Line":
        """The client from the app settings."""
        return cls(config["LINE_API_BASE"], config["LINE_CHANNEL_ACCESS_TOKEN"])

    def push(self, to: str, texts: Sequence[str], retry_key: str) -> None:
        """Push texts to a user; LINE drops a repeat with the same retry key (409)."""
        self._http.post(
            "/v2/bot/message/push", mapping.push(to, texts), {"X-Line-Retry-Key": retry_key}
        )

    def reply(self, reply_token: str, texts: Sequence[str]) -> None:
        """Answer a webhook event with its reply token."""
        self._http.post("/v2/bot/message/reply", mapping.reply(reply_token, texts))
