"""Reading and keeping links to other systems, including on a connection of their own.

A job that fails is rolled back whole; what the other system already did (a Shopify return
created) and the failure itself must outlive that rollback, so they are written apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from returns_service.errors import PermanentJobError
from returns_service.events import Event
from returns_service.extensions import db
from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.models import IntegrationLink


def find_link(
    session: Session, system: str, subject_type: str, subject_id: int, *, lock: bool = False
) -> IntegrationLink | None:
    """The link of a record to a system, if there is one."""
    query = select(IntegrationLink).where(
        IntegrationLink.system == system,
        IntegrationLink.subject_type == subject_type,
        IntegrationLink.subject_id == subject_id,
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def find_by_external_id(session: Session, system: str, external_id: str) -> IntegrationLink | None:
    """The link a system's own id points back through."""
    return session.scalar(
        select(IntegrationLink).where(
            IntegrationLink.system == system, IntegrationLink.external_id == external_id
        )
    )


def keep_now(system: str, subject_type: str, subject_id: int, now: datetime, **values: Any) -> None:
    """Write a link's values at once, whatever becomes of the caller's transaction."""
    key = {"system": system, "subject_type": subject_type, "subject_id": subject_id}
    with db.engine.begin() as connection:
        changed = connection.execute(
            update(IntegrationLink)
            .where(*(getattr(IntegrationLink, k) == v for k, v in key.items()))
            .values(updated_at=now, **values)
        ).rowcount
        if not changed:
            connection.execute(insert(IntegrationLink).values(updated_at=now, **key, **values))


def record_failure(
    system: str,
    subject_type: str,
    subject_id: int,
    now: datetime,
    error: str,
) -> None:
    """Keep a failed call on the link and on the record's timeline, past the rollback.

    The event carries no order id: the failed job may hold the order's row lock, and the
    foreign key check of another connection would wait for it for ever.
    """
    keep_now(system, subject_type, subject_id, now, last_error=error[:4000])
    with db.engine.begin() as connection:
        connection.execute(
            insert(Event).values(
                subject_type=subject_type,
                subject_id=subject_id,
                kind=f"{system}.failed",
                actor="system",
                message=error[:2000],
                data={},
                created_at=now,
            )
        )


@contextmanager
def calling(system: str, subject_type: str, subject_id: int, now: datetime) -> Iterator[None]:
    """Turn another system's errors into job outcomes and keep each failure in sight.

    A transient failure is retried by the outbox; any other fails the job for good. Either
    way the failure is written on the link and on the record's timeline, past the rollback.
    """
    try:
        yield
    except IntegrationError as exc:
        record_failure(system, subject_type, subject_id, now, str(exc))
        if exc.transient:
            raise
        raise PermanentJobError(str(exc)) from exc
