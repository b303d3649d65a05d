"""A flush's plain writes, sent together before the unit of work's.

The changed rows :mod:`~returns_service.plain_updates` writes and the new rows
:mod:`~returns_service.plain_inserts` appends or inserts with their keys drawn beforehand
(a new return with its lines, a case's new state, its events, its outbox messages) need
nothing back but how many rows each update changed: they are
gathered and sent as one statement on PostgreSQL
(:class:`~returns_service.statement_text.Writes`; one by one elsewhere, and for a bulk
import's rows), a round trip each saved on every use case that changes something.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from returns_service import plain_inserts, plain_updates, statement_text
from returns_service.loaded_objects import keep_as_loaded


def write_plainly(session: Session, flush_context: Any, instances: Any) -> None:
    """``before_flush``, after every other listener: send the flush's plain inserts and
    updates in one go, then mark the objects written."""
    writes = statement_text.Writes()
    inserted = plain_inserts.gather_inserted_at_flush(session, writes)
    updated = plain_updates.gather_updated(session, writes)
    plain_inserts.gather_appended(session, writes)
    counts = writes.send(session.connection()) if writes else []
    plain_updates.confirm_updated(session, updated, counts)
    keep_as_loaded(session, inserted)
