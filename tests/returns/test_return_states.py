"""Every action on a return in every state: where the design has no move, 409 and nothing
changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from returns_service.events import Event
from returns_service.returns.models import ReturnLine, ReturnRequest, ReturnStatus
from tests.shop import Shop

_S = ReturnStatus
#: The moves of DESIGN.md, written out here so that a change to the code's table shows.
MOVES: dict[ReturnStatus, set[ReturnStatus]] = {
    _S.REQUESTED: {_S.APPROVED, _S.REJECTED, _S.REVIEW, _S.CANCELLED},
    _S.REVIEW: {_S.APPROVED, _S.REJECTED, _S.CANCELLED},
    _S.APPROVED: {_S.AWAITING_PARCEL, _S.COMPLETED, _S.CANCELLED, _S.EXPIRED},
    _S.AWAITING_PARCEL: {_S.IN_TRANSIT, _S.RECEIVED, _S.CANCELLED, _S.EXPIRED},
    _S.IN_TRANSIT: {_S.RECEIVED},
    _S.RECEIVED: {_S.INSPECTED},
    _S.INSPECTED: {_S.COMPLETED},
    _S.REJECTED: set(),
    _S.COMPLETED: set(),
    _S.CANCELLED: set(),
    _S.EXPIRED: set(),
}


def _actions(line_id: int) -> dict[str, tuple[ReturnStatus, str, dict[str, Any]]]:
    """Each action: the state it moves to, who may take it, and a body valid in itself."""
    return {
        "approve": (ReturnStatus.APPROVED, "agent", {}),
        "reject": (ReturnStatus.REJECTED, "agent", {"message": "お受けできません。"}),
        "cancel": (ReturnStatus.CANCELLED, "agent", {}),
        "receive": (
            ReturnStatus.RECEIVED,
            "warehouse",
            {"lines": [{"line_id": line_id, "quantity": 1}]},
        ),
        "inspect": (
            ReturnStatus.INSPECTED,
            "warehouse",
            {"lines": [{"line_id": line_id, "condition": "new", "disposition": "restock"}]},
        ),
    }


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event))


def test_every_action_the_table_does_not_allow_is_refused_in_every_state(
    shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    created = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json
    rma, line_id = created["rma"], created["lines"][0]["id"]
    # A line counted as received, so that inspecting is refused for the state alone.
    session.execute(update(ReturnLine).values(received_quantity=1))
    session.commit()
    headers = {"agent": shop.agent, "warehouse": shop.warehouse}

    wrong = []
    checked = 0
    for state in ReturnStatus:
        for action, (target, role, body) in _actions(line_id).items():
            if target in MOVES[state]:
                continue
            session.execute(update(ReturnRequest).values(status=state))
            session.commit()
            before = _events(session)
            response = shop.client.post(
                f"/api/v1/returns/{rma}/{action}", json=body, headers=headers[role]
            )
            session.expire_all()
            status = session.scalar(select(ReturnRequest.status))
            if (response.status_code, status, _events(session)) != (409, state, before):
                wrong.append((state.value, action, response.status_code, status.value))
            checked += 1
    assert wrong == []
    assert checked >= 40
