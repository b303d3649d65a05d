"""Systems that receive our signed webhooks, as loopback HTTP servers: the warehouse, the
subscription system. Each is registered as a webhook endpoint, as an admin would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.models import utcnow
from returns_service.notifications.models import WebhookEndpoint
from returns_service.notifications.webhooks import verify


@dataclass
class Delivery:
    """One webhook as the receiver got it."""

    event: str
    delivery_id: str
    data: dict[str, Any]
    signed: bool


@dataclass
class WebhookReceiver:
    """A loopback server registered for some events; it keeps what it receives."""

    httpserver: HTTPServer
    path: str
    secret: str
    deliveries: list[Delivery] = field(default_factory=list)

    @classmethod
    def register(
        cls, httpserver: HTTPServer, session: Session, path: str, secret: str, events: list[str]
    ) -> WebhookReceiver:
        receiver = cls(httpserver, path, secret)
        session.add(
            WebhookEndpoint(
                url=httpserver.url_for(path), secret=secret, events=events, created_at=utcnow()
            )
        )
        session.commit()
        httpserver.expect_request(path, method="POST").respond_with_handler(receiver._receive)
        return receiver

    def _receive(self, request: Request) -> Response:
        body = request.get_data()
        document = json.loads(body)
        self.deliveries.append(
            Delivery(
                event=request.headers["X-Returns-Event"],
                delivery_id=request.headers["X-Returns-Delivery"],
                data=document["data"],
                signed=verify(self.secret, request.headers.get("X-Returns-Signature"), body),
            )
        )
        return Response("", status=204)

    def events(self) -> list[str]:
        """Event names in the order they arrived."""
        return [delivery.event for delivery in self.deliveries]

    def data(self, event: str) -> list[dict[str, Any]]:
        """The data of each delivery of ``event``."""
        return [delivery.data for delivery in self.deliveries if delivery.event == event]
