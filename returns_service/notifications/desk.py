"""E-mail to the desk: every active agent and admin, each in their own language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role, StaffUser
from returns_service.config import LOCALES
from returns_service.notifications.email import queue_email


def email_desk(session: Session, now: datetime, kind: str, context: Mapping[str, Any]) -> int:
    """Queue one e-mail of ``kind`` to each active agent and admin; returns how many."""
    staff = session.scalars(
        select(StaffUser)
        .where(StaffUser.active.is_(True), StaffUser.role.in_((Role.AGENT, Role.ADMIN)))
        .order_by(StaffUser.id)
    )
    sent = 0
    for member in staff:
        queue_email(
            session,
            now,
            kind=kind,
            to=member.email,
            locale=member.locale if member.locale in LOCALES else LOCALES[0],
            context={"customer_name": member.name or member.email, **context},
            subject_type="staff",
            subject_id=member.id,
        )
        sent += 1
    return sent
