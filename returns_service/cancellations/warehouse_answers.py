"""The warehouse's signed answers to stop requests: each bound to its request and used once.

The signature covers the method, the path (which names the cancellation), the delivery id
and the body, so an answer signed for one cancellation cannot be replayed onto another;
the delivery id is recorded with the change it made, so the same answer applies once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.notifications.webhooks import sign, verify
from returns_service.orders import deliveries

DELIVERY_HEADER = "X-Returns-Delivery"
SOURCE = "warehouse"
TOPIC = "cancellation.warehouse_result"


def signed_content(method: str, path: str, delivery_id: str, body: bytes) -> bytes:
    """What the warehouse signs: ``<METHOD>\\n<path>\\n<delivery id>\\n<body>``."""
    return f"{method.upper()}\n{path}\n{delivery_id}\n".encode() + body


def sign_answer(
    secret: str, timestamp: int, method: str, path: str, delivery_id: str, body: bytes
) -> str:
    """The ``X-Returns-Signature`` of an answer, as the warehouse computes it."""
    return sign(secret, timestamp, signed_content(method, path, delivery_id, body))


def signature_matches(
    secret: str,
    header: str,
    *,
    method: str,
    path: str,
    delivery_id: str,
    body: bytes,
    now: datetime,
) -> bool:
    """Whether the signature is the secret's, recent, and for exactly this request."""
    return verify(secret, header, signed_content(method, path, delivery_id, body), now=now)


def first_delivery(session: Session, delivery_id: str, now: datetime) -> bool:
    """Record the warehouse's delivery id in the caller's transaction; False if seen before."""
    return deliveries.first_delivery(session, SOURCE, delivery_id, TOPIC, now)
