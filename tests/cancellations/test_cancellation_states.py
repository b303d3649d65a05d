"""Every action on a cancellation in every state: where the design has no move, 409 and
nothing changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.events import Event
from tests.cancellations.conftest import Cancellations
from tests.shop import Shop

_S = CancellationStatus
#: The moves of the design, written out here so that a change to the code's table shows.
MOVES: dict[CancellationStatus, set[CancellationStatus]] = {
    _S.REQUESTED: {_S.CANCELLED, _S.PENDING_STOP, _S.REVIEW, _S.REJECTED, _S.REFUSED},
    _S.REVIEW: {_S.CANCELLED, _S.PENDING_STOP, _S.REJECTED, _S.REFUSED},
    _S.PENDING_STOP: {_S.CANCELLED, _S.REFUSED, _S.REVIEW},
    _S.CANCELLED: set(),
    _S.REFUSED: set(),
    _S.REJECTED: set(),
}
#: Each action: the states it may move to, and its body.
ACTIONS: dict[str, tuple[set[CancellationStatus], dict[str, Any]]] = {
    "approve": ({_S.CANCELLED, _S.PENDING_STOP}, {}),
    "reject": ({_S.REJECTED, _S.REFUSED}, {"message": "お受けできません。"}),
    "warehouse-result": ({_S.CANCELLED}, {"stopped": True}),
}


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event))


def test_every_action_the_table_does_not_allow_is_refused_in_every_state(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    order = cancellations.put_order(fulfillment_status="packed")
    cancellation_id = cancellations.cancel(cancellations.customer(order)).json["id"]
    # Never asked to stop: a warehouse answer is then no repeat of an earlier one.
    session.execute(update(Cancellation).values(stop_requested_at=None))
    session.commit()

    wrong = []
    checked = 0
    for state in CancellationStatus:
        for action, (targets, body) in ACTIONS.items():
            if targets & MOVES[state]:
                continue
            session.execute(update(Cancellation).values(status=state))
            session.commit()
            before = _events(session)
            response = shop.client.post(
                f"/api/v1/cancellations/{cancellation_id}/{action}",
                json=body,
                headers=shop.agent,
            )
            session.expire_all()
            status = session.scalar(select(Cancellation.status))
            if (response.status_code, status, _events(session)) != (409, state, before):
                wrong.append((state.value, action, response.status_code, status.value))
            checked += 1
    assert wrong == []
    assert checked >= 9
