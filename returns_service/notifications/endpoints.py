"""Use cases of outbound webhook endpoints: add, change and remove where events are sent.

An endpoint's URL is checked when it is saved (https, public addresses only, except the
hosts allowed plain http) and again before every delivery (see ``outbound``).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.errors import InvalidInput, NotFound
from returns_service.notifications.models import WebhookEndpoint
from returns_service.notifications.outbound import UnsafeTarget, check_endpoint_url

#: The fields an admin may change on an endpoint.
CHANGEABLE = ("url", "events", "description", "active", "secret")


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint with this id, or NotFound."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint


def _checked_url(url: str, http_hosts: Collection[str]) -> str:
    try:
        check_endpoint_url(url, http_hosts)
    except UnsafeTarget as exc:
        raise InvalidInput(f"{url} is not allowed: {exc}", field="url") from None
    return url


def add_endpoint(
    session: Session, now: datetime, data: Mapping[str, Any], http_hosts: Collection[str]
) -> WebhookEndpoint:
    """Add an endpoint; a signing secret is made when none is given."""
    endpoint = WebhookEndpoint(
        url=_checked_url(data["url"], http_hosts),
        events=data["events"],
        description=data["description"],
        active=data["active"],
        secret=data["secret"] or secrets.token_urlsafe(32),
        created_at=now,
    )
    session.add(endpoint)
    return endpoint


def change_endpoint(
    endpoint: WebhookEndpoint, data: Mapping[str, Any], http_hosts: Collection[str]
) -> WebhookEndpoint:
    """Change the fields given; the others keep their value."""
    if "url" in data:
        _checked_url(data["url"], http_hosts)
    for name in CHANGEABLE:
        if name in data:
            setattr(endpoint, name, data[name])
    return endpoint


def remove_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log; deliveries still queued are dropped."""
    session.delete(endpoint)
