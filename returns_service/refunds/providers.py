"""Payment providers behind one interface, chosen by the order's payment provider."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from returns_service.events import Event
from returns_service.portable_sql import insert_skipping_duplicates
from returns_service.refunds.models import Refund, RefundStatus, SandboxRefund

#: The timeline event of a staff retry of a failed refund; its count names the attempt.
RETRIED = "refund.retried"


class ProviderUnavailable(Exception):
    """The provider could not be reached, or asked us to come back later; the job retries."""


@dataclass(frozen=True, slots=True)
class RefundCall:
    """What a provider is asked to do.

    ``idempotency_key`` is the same on every automatic retry of the job and changes only
    when staff send a failed refund again (see :func:`attempt_key`).
    """

    refund_id: int
    idempotency_key: str
    amount: int
    currency: str
    payment_reference: str | None
    order_external_id: str


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    """What the provider answered."""

    status: RefundStatus
    reference: str | None = None
    failure_reason: str | None = None


class RefundProvider(Protocol):
    """Sends money back through one payment provider."""

    name: str

    def refund(self, call: RefundCall) -> RefundOutcome:
        """Refund once per idempotency key; a repeated call answers like the first."""
        ...


class SandboxProvider:
    """The demo's provider: records each refund once, succeeds at once."""

    name = "sandbox"

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def refund(self, call: RefundCall) -> RefundOutcome:
        # One statement in the usual case: the row is inserted unless the key was seen, and
        # only a repeated key reads the first refund's row.
        inserted = insert_skipping_duplicates(self.session, SandboxRefund, ["idempotency_key"])
        recorded = self.session.scalar(
            inserted.values(
                idempotency_key=call.idempotency_key,
                payment_reference=call.payment_reference,
                amount=call.amount,
                currency=call.currency,
                created_at=self.now,
            ).returning(SandboxRefund.id)
        )
        if recorded is None:
            recorded = self.session.scalar(
                select(SandboxRefund.id).where(
                    SandboxRefund.idempotency_key == call.idempotency_key
                )
            )
        return RefundOutcome(RefundStatus.SUCCEEDED, reference=f"sandbox_re_{recorded}")


class ManualProvider:
    """Staff refund by hand in the payment system and mark the refund done here."""

    name = "manual"

    def refund(self, call: RefundCall) -> RefundOutcome:
        return RefundOutcome(RefundStatus.PROCESSING)


def staff_retries(session: Session, refund: Refund) -> int:
    """How many times staff sent a refund again after a definitive refusal (its
    ``refund.retried`` events that took a new key)."""
    retried = select(Event.data).where(Event.order_id == refund.order_id, Event.kind == RETRIED)
    return sum(
        1
        for data in session.scalars(retried)
        if data.get("refund_id") == refund.id and data.get("new_key", True)
    )


def ever_retried() -> ColumnElement[bool]:
    """Whether staff ever sent a refund of the refund's order again: read with the refund,
    so that the key of a refund never retried (nearly all) needs no statement of its own."""
    return exists().where(Event.order_id == Refund.order_id, Event.kind == RETRIED)


def attempt_key(session: Session, refund: Refund, retried: bool = True) -> str:
    """``refund-<id>``, then ``refund-<id>-<n>`` after the n-th staff retry.

    Stripe answers a repeated key with the first answer, and our Shopify lookup finds the
    first refund again: a refund that failed would fail again on every retry with the same
    key. Automatic retries of the job keep the key, so they can never pay twice. ``retried``
    False (see :func:`ever_retried`) says there is no retry to count.
    """
    retries = staff_retries(session, refund) if retried else 0
    return f"refund-{refund.id}" if retries == 0 else f"refund-{refund.id}-{retries}"


ProviderFactory = Callable[[Session, datetime, Mapping[str, Any]], RefundProvider]
_FACTORIES: dict[str, ProviderFactory] = {
    "sandbox": lambda session, now, config: SandboxProvider(session, now),
    "manual": lambda session, now, config: ManualProvider(),
}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make a payment provider available under the name orders carry."""
    _FACTORIES[name] = factory


def provider_for(
    name: str, session: Session, now: datetime, config: Mapping[str, Any]
) -> RefundProvider:
    """The provider for an order's payment provider name."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise LookupError(
            f"no refund provider {name!r}; known: {', '.join(sorted(_FACTORIES))}"
        ) from None
    return factory(session, now, config)
