"""``Idempotency-Key``: a POST sent twice with the same key answers the first answer again.

A key belongs to one caller and one endpoint: the same key from another caller, or on
another endpoint, is another key. Reused by its caller for a different request (another
body, another order or subscription in the path), it is refused with 422.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify, request
from sqlalchemy import String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from returns_service.errors import InvalidInput
from returns_service.extensions import db
from returns_service.models import Base, intpk

if TYPE_CHECKING:
    from returns_service.auth.tokens import Principal


class IdempotencyRecord(Base):
    """The answer given to one caller's request under one key."""

    __tablename__ = "idempotency_records"

    id: Mapped[intpk]
    principal: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("principal", "key"),)


def request_fingerprint(payload: Any) -> str:
    """A hash of the request, to refuse a key reused for a different request."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def caller_scope(endpoint: str, principal: Principal) -> str:
    """Where a caller's keys for one endpoint live: a staff member or token, or one order's
    customer (every customer token says ``customer``; its order tells them apart)."""
    caller = principal.caller or principal.actor
    if principal.order_id is not None:
        caller = f"{caller}:{principal.order_id}"
    scope = f"{endpoint}:{caller}"
    if len(scope) <= 128:
        return scope
    return f"{endpoint}:{hashlib.sha256(caller.encode()).hexdigest()}"[:128]


def _lock(session: Session, principal: str, key: str) -> None:
    # Two requests with one key may lock different orders; this lock makes them take turns,
    # so the second finds the first's answer instead of failing on the unique constraint.
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"{principal}\n{key}".encode()).digest()
        session.execute(
            select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True)))
        )


def replay(
    session: Session, principal: str, key: str, fingerprint: str
) -> tuple[dict[str, Any], int] | None:
    """The stored answer for this key, or None if the key is new.

    Holds a lock on the key until the transaction ends.
    """
    _lock(session, principal, key)
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was used for a different request", field="Idempotency-Key"
        )
    return record.body, record.status_code


def remember(
    session: Session,
    principal: str,
    key: str,
    fingerprint: str,
    body: dict[str, Any],
    status_code: int,
    now: datetime,
) -> None:
    """Store the answer in the same transaction as the change it describes."""
    session.add(
        IdempotencyRecord(
            principal=principal,
            key=key,
            request_hash=fingerprint,
            status_code=status_code,
            body=body,
            created_at=now,
        )
    )


def header_key() -> str | None:
    """The request's ``Idempotency-Key``, if any; one too long to store is refused."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= 128:
        raise InvalidInput("an Idempotency-Key has 1 to 128 characters", field="Idempotency-Key")
    return key


def _request_fingerprint(body: Any) -> str:
    # The path names the order or subscription where the body does not.
    return request_fingerprint({"method": request.method, "path": request.path, "body": body})


def replay_answer(scope: str, key: str | None, body: Any) -> tuple[Response, int] | None:
    """The answer stored for this key, or None.

    Call it holding the lock the change itself takes (the order's row), so that the same
    request sent twice at once runs once and the second gets the first's answer.
    """
    if not key:
        return None
    stored = replay(db.session, scope, key, _request_fingerprint(body))
    return (jsonify(stored[0]), stored[1]) if stored is not None else None


def remember_answer(
    scope: str, key: str | None, body: Any, answer: dict[str, Any], status: int, now: datetime
) -> None:
    """Keep the answer under the key, in the transaction of the change it describes."""
    if key:
        remember(db.session, scope, key, _request_fingerprint(body), answer, status, now)
