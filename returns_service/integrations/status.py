"""Which integrations are on and what went wrong last, with no credential in sight."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.integrations.reactions import enabled
from returns_service.outbox import OutboxMessage

#: The outbox jobs that belong to each integration.
JOBS = {
    "warehouse_system": (
        "warehouse_send_shipment",
        "warehouse_stop_shipment",
        "warehouse_cancel_order",
        "warehouse_expect_return",
        "warehouse_sync_stock",
    ),
    "shopify_returns": ("sync_shopify_return",),
    "zendesk": ("zendesk_open_ticket", "zendesk_add_note", "zendesk_solve_ticket"),
    "line": ("push_line_message", "line_reply"),
}


def _last_error(session: Session, jobs: tuple[str, ...]) -> tuple[str | None, Any]:
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.job.in_(jobs), OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.created_at.desc())
        .limit(1)
    )
    if message is None:
        return None, None
    return message.last_error, message.finished_at or message.run_after


def integration_status(session: Session, config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per integration: its name, whether it is on, the system chosen, its last error."""
    answer = []
    for name, on in enabled(config).items():
        error, at = _last_error(session, JOBS[name])
        system = config["WAREHOUSE_SYSTEM"] if name == "warehouse_system" else name
        answer.append(
            {
                "name": name,
                "enabled": on,
                "system": system,
                "last_error": error,
                "last_error_at": at,
            }
        )
    return answer
