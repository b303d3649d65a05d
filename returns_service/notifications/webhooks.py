"""Outbound webhooks: signed JSON POSTs to the endpoints subscribed to an event.

Each delivery is one outbox message per endpoint; its id is the delivery id receivers see
in the body and in ``X-Returns-Delivery``, the same on every attempt, so they can drop
repeats. The signature header reads ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` over
``"<t>.<raw body>"`` with the endpoint's secret; :func:`verify` checks one, and the
service's own inbound webhooks (warehouse, subscriptions) use the same scheme.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, object_session

from returns_service.auth.tokens import RecentChecks
from returns_service.errors import PermanentJobError, RetryUntilError
from returns_service.extensions import db
from returns_service.models import reading_only
from returns_service.notifications import outbound
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint, subscribed
from returns_service.outbox import OutboxMessage, record
from returns_service.shop import EXTENSION_KEY

log = logging.getLogger(__name__)

EVENT_PATTERN = re.compile(r"^[a-z_]+\.[a-z_]+$")
#: The events the service sends; any name matching ``EVENT_PATTERN`` is accepted too.
EVENTS = (
    "return.created",
    "return.approved",
    "return.rejected",
    "return.received",
    "refund.issued",
    "exchange.shipment_requested",
)
TIMEOUT_SECONDS = 10
#: A partner down for maintenance gets its deliveries for this long after each event.
RETRY_WINDOW = timedelta(hours=24)
DEFAULT_TOLERANCE_SECONDS = 300
USER_AGENT = "returns-service-webhooks/1"
#: Answers that may succeed later: the receiver timed out or asked us to slow down.
_RETRYABLE_4XX = frozenset({408, 429})


class WebhookDeliveryError(RetryUntilError):
    """A delivery attempt failed in a way that may pass; retried with backoff for a day."""


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The ``X-Returns-Signature`` value for a body sent at ``timestamp`` (unix seconds)."""
    return f"t={int(timestamp)},v1={_digest(secret, int(timestamp), body)}"


def _digest(secret: str, timestamp: int, body: bytes | str) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    signed = f"{timestamp}.".encode() + raw
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    header: str | None,
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: datetime | float | None = None,
) -> bool:
    """Whether a signature header matches the body and is at most ``tolerance`` seconds off.

    Several ``v1=`` values may be present (a sender rotating secrets); one match is enough.
    The comparison takes constant time.
    """
    if not header or not secret:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if now is None:
        current = time.time()
    elif isinstance(now, datetime):
        current = now.timestamp()
    else:
        current = float(now)
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    # Check every candidate, so the time taken does not tell which one matched.
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    return any(matches)


def check_event(event: str) -> str:
    """Return ``event`` if it is a valid event name such as ``return.approved``."""
    if not isinstance(event, str) or not EVENT_PATTERN.match(event):
        raise ValueError(f"{event!r} is not an event name like 'return.approved'")
    return event


#: An active endpoint as events are recorded for it: its id and the events it wants.
Subscriber = tuple[int, list[str]]

_ENDPOINTS = "active_webhook_endpoints"
#: Built once: building a statement costs more than running it from the statement cache.
_ACTIVE = (
    select(WebhookEndpoint.id, WebhookEndpoint.events)
    .where(WebhookEndpoint.active.is_(True))
    .order_by(WebhookEndpoint.id)
)
#: The active endpoints as this process read them lately, taken without asking again for
#: ``RETURNS_ACCESS_CHECK_SECONDS`` (as the API's tokens and the staff are: a statement of
#: every use case that records an event). A change this process makes through the ORM is
#: taken at once, another process's within that time; a delivery to an endpoint switched
#: off or unsubscribed meanwhile is skipped when it is sent.
_recent: RecentChecks[list[Subscriber]] = RecentChecks(limit=1)
_ACTIVE_KEY = "active"
#: In a session's ``info``: the transaction that wrote an endpoint. It reads the endpoints
#: as it sees them, and neither takes nor keeps the process's: what it wrote is not
#: committed, and may never be.
_WROTE = "wrote_webhook_endpoints"


def _active_endpoints(session: Session) -> list[Subscriber]:
    """The active endpoints, read once per transaction (a use case queues several events:
    filing a return, received then approved) and kept by the process a moment."""
    session = session if isinstance(session, Session) else session()  # a scoped session
    cached = session.info.get(_ENDPOINTS)
    transaction = session.get_transaction()  # None until the transaction sends something
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    # An endpoint this transaction changed is written first (and marks the transaction).
    with reading_only(session, WebhookEndpoint):
        wrote = session.info.get(_WROTE)
        own = wrote is not None and wrote is session.get_transaction()
        endpoints = None if own else _recent.get(_ACTIVE_KEY)
        if endpoints is None:
            read_in = _recent.generation
            endpoints = [(id_, list(events or ())) for id_, events in session.execute(_ACTIVE)]
            if not own:
                _recent.keep(_ACTIVE_KEY, endpoints, _trusted_for(session), read_in)
    session.info[_ENDPOINTS] = (session.get_transaction(), endpoints)
    return endpoints


def _trusted_for(session: Session) -> float:
    """How long the process takes what it read (the shop's settings on the session; none,
    as for a session made outside the app: not at all)."""
    shop = session.info.get(EXTENSION_KEY)
    return float(shop.config.get("ACCESS_CHECK_SECONDS", 0)) if shop is not None else 0.0


def forget_endpoints() -> None:
    """Read the active endpoints again at the next event, in every transaction."""
    _recent.clear()


@event.listens_for(WebhookEndpoint, "after_insert")
@event.listens_for(WebhookEndpoint, "after_update")
@event.listens_for(WebhookEndpoint, "after_delete")
def _forget_endpoints(mapper: Any, connection: Any, endpoint: WebhookEndpoint) -> None:
    """An endpoint changed: this transaction reads them as it sees them from now on, and
    every other reads them again, now and once the change commits (another's read in
    between would keep the endpoints as they were)."""
    forget_endpoints()
    session = object_session(endpoint)
    if session is not None:
        session.info.pop(_ENDPOINTS, None)
        session.info[_WROTE] = session.get_transaction()
        event.listen(session, "after_commit", lambda _session: forget_endpoints(), once=True)


def queue_webhook(
    session: Session, now: datetime, event: str, data: Mapping[str, Any]
) -> list[OutboxMessage]:
    """Record one ``send_webhook`` outbox message per active endpoint subscribed to ``event``.

    Endpoints are read in the caller's transaction, or taken as this process read them a
    moment ago, so an endpoint added later does not receive events that happened before it
    existed; one added by another process receives them within
    ``RETURNS_ACCESS_CHECK_SECONDS``.
    """
    check_event(event)
    try:
        payload_data = json.loads(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"webhook data for {event} is not JSON-serialisable: {exc}") from None
    messages = []
    for endpoint_id, events in _active_endpoints(session):
        if not subscribed(events, event):
            continue
        message = record(
            session,
            "send_webhook",
            now,
            endpoint_id=endpoint_id,
            event=event,
            data=payload_data,
            created_at=now.isoformat(),
        )
        message.payload = {**message.payload, "delivery_id": message.id}
        messages.append(message)
    return messages


def delivery_body(delivery_id: str, event: str, created_at: str, data: Any) -> bytes:
    """The JSON body of a delivery, byte for byte what is signed."""
    document = {"id": delivery_id, "event": event, "created_at": created_at, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def deliver_webhook(
    session: Session,
    now: datetime,
    *,
    delivery_id: str,
    endpoint_id: int,
    event: str,
    data: Any,
    created_at: str,
    http_hosts: Collection[str] = frozenset(),
    resent_at: str | None = None,
) -> bool:
    """POST one delivery to its endpoint and log the attempt.

    The URL is checked again before each attempt (see :mod:`outbound`), and only the status
    and a short excerpt of the answer are kept. A successful attempt is logged in the
    caller's transaction; a failed one on a connection of its own, because the job's
    transaction is rolled back when it raises. Failures that may pass are retried until
    :data:`RETRY_WINDOW` after the event (or after an admin re-sent it). Returns whether it
    was delivered: False when the endpoint was removed, switched off or unsubscribed from
    the event since it was queued.
    """
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.wants(event):
        log.info(
            "webhook %s skipped: endpoint %s is gone, inactive or no longer wants %s",
            delivery_id,
            endpoint_id,
            event,
        )
        return False
    body = delivery_body(delivery_id, event, created_at, data)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Returns-Event": event,
        "X-Returns-Delivery": delivery_id,
        "X-Returns-Timestamp": str(timestamp),
        "X-Returns-Signature": sign(endpoint.secret, timestamp, body),
    }
    attempt = {
        "outbox_message_id": delivery_id,
        "endpoint_id": endpoint.id,
        "event": event,
        "attempted_at": now,
    }
    give_up_at = datetime.fromisoformat(resent_at or created_at) + RETRY_WINDOW
    started = time.monotonic()
    try:
        target = outbound.check_url(endpoint.url, http_hosts)
        answer = outbound.post(target, body, headers, TIMEOUT_SECONDS)
    except outbound.Unresolvable as exc:
        error = f"could not reach {endpoint.url}: {exc}"
        _log_failed_attempt(attempt, None, _elapsed_ms(started), error)
        raise WebhookDeliveryError(error, give_up_at=give_up_at) from None
    except outbound.UnsafeTarget as exc:
        error = f"refused to send to {endpoint.url}: {exc}"
        _log_failed_attempt(attempt, None, _elapsed_ms(started), error)
        raise PermanentJobError(error) from None
    except outbound.TargetUnreachable as exc:
        error = f"could not reach {endpoint.url}: {exc}"
        _log_failed_attempt(attempt, None, _elapsed_ms(started), error)
        raise WebhookDeliveryError(error, give_up_at=give_up_at) from None
    duration_ms = _elapsed_ms(started)
    status = answer.status
    if 200 <= status < 300:
        session.add(WebhookDelivery(**attempt, status_code=status, duration_ms=duration_ms))
        return True
    error = f"{endpoint.url} answered HTTP {status}"
    if answer.excerpt:
        error += f": {answer.excerpt}"
    _log_failed_attempt(attempt, status, duration_ms, error)
    if status >= 500 or status in _RETRYABLE_4XX:
        raise WebhookDeliveryError(error, give_up_at=give_up_at)
    # Other 4xx (and redirects): the receiver rejects this delivery; a retry would too.
    raise PermanentJobError(error)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _log_failed_attempt(
    attempt: dict[str, Any], status_code: int | None, duration_ms: int, error: str
) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            insert(WebhookDelivery).values(
                **attempt, status_code=status_code, duration_ms=duration_ms, error=error[:4000]
            )
        )
