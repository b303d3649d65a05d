"""The declarative base, its naming convention and the column types every domain shares."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    SmallInteger,
    String,
    TypeDecorator,
    event,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, SessionTransaction, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive values are refused.

    SQLite hands back naive datetimes, so values read are marked as UTC again; PostgreSQL's
    come back in UTC as they are.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must carry a time zone")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name == "postgresql":
            # The service's connections read times in UTC (``extensions``): psycopg hands
            # them back in UTC already, and a call per value cost the lists that show many.
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[enum.StrEnum], length: int = 32) -> Any:
    """Store a ``StrEnum`` by its value in a plain string column (no database enum type)."""
    from sqlalchemy import Enum

    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
#: An amount in the currency's minor unit (yen, cents); the currency sits in its own column.
MinorUnits = Annotated[int, mapped_column(BigInteger, default=0)]
Currency = Annotated[str, mapped_column(String(3))]
#: Shopify allows SKUs of 255 characters.
SKU_LENGTH = 255


class Base(DeclarativeBase):
    """The declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
        list[str]: JSONType,
    }


class Promised:
    """A case's due times, fixed when it arrives (the promise its customer is shown), so
    the promises kept are counted in SQL; changed settings apply to cases arriving after."""

    #: When the desk must have answered the case first.
    first_response_due_at: Mapped[datetime]
    #: When the desk must have decided it.
    resolution_due_at: Mapped[datetime]


class Ranked:
    """A case's place in the work list before aging, kept on its row so that the list reads
    its page off an index (``cases.ranks`` keeps them; 0 urgent, 1 high, 2 normal)."""

    #: The shop's priority mapping applied to the case's reasons and state.
    own_rank: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    #: The mapping applied to the states of its order's parcels.
    parcel_rank: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    #: The lesser of the two: what the list sorts by.
    signal_rank: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")


def utcnow() -> datetime:
    """The current time in UTC; operations take ``now`` as an argument, callers use this."""
    return datetime.now(UTC)


@contextmanager
def reading_only(session: Session, *models: type[Base]) -> Iterator[None]:
    """Read rows of ``models`` without flushing the session's other changes first.

    Queries flush every pending change before they run; a query that reads only these
    models needs only theirs flushed. The rest (a use case's events, outbox rows, status
    changes) then goes to the database together in one later flush instead of being split
    at every read.
    """
    if any(isinstance(o, models) for o in (*session.new, *session.dirty, *session.deleted)):
        session.flush()
    with session.no_autoflush:
        yield


#: The ``session.info`` keys of what :func:`kept_in_transaction` holds, and of how long each
#: list was when each open savepoint began.
_KEPT = "kept_in_transaction"
_KEPT_AT_SAVEPOINT = "kept_at_savepoint"


def kept_in_transaction(session: Session, kind: str) -> list[Any]:
    """A list of ``kind`` that lives as long as the session's transaction.

    What a use case recorded (its events, its refunds) is held here, so the answer built at
    its end finds it without asking the database: the session holds clean objects only
    weakly, and would read a flushed one again by its key. What was added within a savepoint
    that is rolled back is taken off again.
    """
    session = session if isinstance(session, Session) else session()  # a scoped session
    return session.info.setdefault(_KEPT, {}).setdefault(kind, [])


@event.listens_for(Session, "after_transaction_create")
def _mark_kept(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint began: note how long each kept list is."""
    if transaction.nested:
        kept = session.info.get(_KEPT, {})
        marks = session.info.setdefault(_KEPT_AT_SAVEPOINT, {})
        marks[transaction] = {kind: len(items) for kind, items in kept.items()}


@event.listens_for(Session, "after_soft_rollback")
def _undo_kept(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint was rolled back: what was kept within it is gone with its rows.

    A flush that fails within a savepoint rolls it back from the flush's own inner
    transaction, and the savepoint is then only closed: so the savepoint is the nearest
    one above the transaction rolled back. (Called after the savepoint's
    ``after_transaction_end``, so its marks are kept until the outermost transaction ends.)
    """
    transaction: SessionTransaction | None = previous_transaction
    while transaction is not None and not transaction.nested:
        transaction = transaction.parent
    marks = session.info.get(_KEPT_AT_SAVEPOINT, {}).get(transaction)
    if marks is None:
        return
    for kind, items in session.info.get(_KEPT, {}).items():
        del items[marks.get(kind, 0) :]


@event.listens_for(Session, "after_transaction_end")
def _forget_kept(session: Session, transaction: SessionTransaction) -> None:
    """The transaction ended: what it recorded is read from the database from now on."""
    if transaction.parent is None:
        session.info.pop(_KEPT, None)
        session.info.pop(_KEPT_AT_SAVEPOINT, None)
