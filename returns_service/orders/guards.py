"""What an order update must be held to by the parts that depend on the order.

Orders know nothing of cancellations, yet a parcel must not leave with units already
cancelled and refunded. The parts that care register a guard here (once, in the app
factory); every order and shipment use case calls the guards under the order's row lock,
after the change and before its commit. A guard refuses by raising
:class:`~returns_service.errors.Conflict`; the caller then rolls the change back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from returns_service.errors import Conflict
from returns_service.orders.models import Order
from returns_service.shop import ShopSettings


class OrderUpdateGuard(Protocol):
    """Holds an order update to what another part of the service has promised."""

    def hold(
        self, session: Session, now: datetime, order: Order, settings: ShopSettings, *, new: bool
    ) -> None:
        """Accept the updated order, adjust what depends on it, or raise Conflict.

        ``new``: the change created the order, so nothing can have been promised on it yet.
        """

    def note_refused(self, session: Session, now: datetime, refusal: Conflict, actor: str) -> None:
        """Put a refused update where staff will see it (in a new transaction)."""


_GUARDS: list[OrderUpdateGuard] = []


def register_guard(guard: OrderUpdateGuard) -> None:
    """Hold every order update to ``guard``; registering the same guard again does nothing."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def hold_update(
    session: Session, now: datetime, order: Order, settings: ShopSettings, *, new: bool = False
) -> None:
    """Run every guard on an updated order (``new``: one this change created); the caller
    holds the order's row lock."""
    if not _GUARDS:
        # Fail closed: an update nothing checked could ship what was refunded.
        raise RuntimeError("no order update guards are registered: build the app first")
    for guard in _GUARDS:
        guard.hold(session, now, order, settings, new=new)


def note_refused(session: Session, now: datetime, refusal: Conflict, actor: str) -> None:
    """Let every guard record a refusal where its staff look."""
    for guard in _GUARDS:
        guard.note_refused(session, now, refusal, actor)
