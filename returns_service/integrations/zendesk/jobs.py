"""Jobs of the Zendesk bridge: open a ticket for a case, add notes, solve it at the end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.events import note_on
from returns_service.integrations import links
from returns_service.integrations.zendesk import cases, mapping
from returns_service.integrations.zendesk.client import Zendesk
from returns_service.shop import ShopSettings

SYSTEM = "zendesk"


def open_ticket(
    session: Session, now: datetime, settings: ShopSettings, subject_type: str, subject_id: int
) -> None:
    """Open the case's ticket, once (Zendesk is asked for our external id first)."""
    subject = cases.load(session, subject_type, subject_id)
    if subject is None or subject.status not in cases.NEEDS_A_PERSON[subject_type]:
        return  # settled before the ticket was due
    if links.find_link(session, SYSTEM, subject_type, subject_id) is not None:
        return
    document = mapping.ticket(
        cases.case(subject_type, subject, settings.config),
        mapping.external_id(subject_type, subject_id),
    )
    with links.calling(SYSTEM, subject_type, subject_id, now):
        ticket_id = Zendesk.from_config(settings.config).open(document)
    links.keep_now(SYSTEM, subject_type, subject_id, now, external_id=ticket_id, state="open")
    note_on(
        session,
        subject,
        "zendesk.ticket_opened",
        subject_type=subject_type,
        now=now,
        actor="system",
        ticket_id=ticket_id,
    )


def _update(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    subject_type: str,
    subject_id: int,
    document: dict,
) -> bool:
    link = links.find_link(session, SYSTEM, subject_type, subject_id)
    if link is None or not link.external_id or link.state == "solved":
        return False
    with links.calling(SYSTEM, subject_type, subject_id, now):
        Zendesk.from_config(settings.config).update(link.external_id, document)
    return True


def add_note(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    subject_type: str,
    subject_id: int,
    kind: str,
    message: str = "",
    actor: str = "",
) -> None:
    """Add what happened to the case as a private note on its ticket."""
    text = f"{kind} ({actor})" + (f": {message}" if message else "")
    _update(session, now, settings, subject_type, subject_id, mapping.internal_note(text))


def solve_ticket(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    subject_type: str,
    subject_id: int,
    kind: str,
) -> None:
    """The case ended: solve its ticket, saying how."""
    if _update(
        session, now, settings, subject_type, subject_id, mapping.solved(f"{kind}: case closed")
    ):
        links.keep_now(SYSTEM, subject_type, subject_id, now, state="solved", last_error=None)
