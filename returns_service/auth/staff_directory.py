"""What this process read of the staff lately: each signed-in member's row, and who is
active to assign cases to.

Every staff page read its member's row, and the work list the active staff, with a
statement each. Both are kept for ``RETURNS_ACCESS_CHECK_SECONDS``: a change this process
writes to any staff member (signing out, a role, deactivation, a new member) forgets them
at once and again at its commit, and a row read before then is not kept; another process
takes the change within those seconds.
A kept row becomes the request's own object as if read (``loaded_objects.as_loaded``), so
a page that changes its member writes what it changed, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from returns_service.auth.models import StaffUser
from returns_service.auth.tokens import RecentChecks
from returns_service.loaded_objects import as_loaded, every_column, loadable, read_as_loaded

#: Members' rows by id, and the active members' e-mail addresses (under one key).
members: RecentChecks[Mapping[str, Any]] = RecentChecks()
active: RecentChecks[list[str]] = RecentChecks(limit=1)

#: Built once (it only takes the id), every column by key: a plain row made an object as
#: loaded (measured, a fifth less of the sign-in check than the ORM's query of the row).
_STAFF_BY_ID = every_column(StaffUser).where(StaffUser.id == bindparam("id"))
#: Built once (it takes nothing).
_ACTIVE_STAFF_EMAILS = select(StaffUser.email).where(StaffUser.active).order_by(StaffUser.email)
_ACTIVE = "active"


def member(session: Session, user_id: int, trusted_for: float) -> StaffUser | None:
    """The staff member with this id (active or not), None when there is none."""
    # Held already (a page that signs in and shows): no statement at all.
    held = session.identity_map.get(identity_key(StaffUser, user_id))
    if held is not None:
        return held
    kept = members.get(str(user_id)) if trusted_for > 0 else None
    if kept is not None:
        return as_loaded(session, StaffUser, [kept])[0]
    read_in = members.generation
    found = read_as_loaded(session, StaffUser, _STAFF_BY_ID, {"id": user_id})
    if not found:
        return None
    row = {c.key: getattr(found[0], c.key) for c in loadable(StaffUser).local_table.columns}
    members.keep(str(user_id), row, trusted_for, read_in)
    return found[0]


def active_emails(session: Session, trusted_for: float) -> list[str]:
    """The active staff's e-mail addresses, in order (read on the session's connection,
    past the ORM's handling of a statement: they are only shown)."""
    kept = active.get(_ACTIVE) if trusted_for > 0 else None
    if kept is None:
        read_in = active.generation
        kept = list(session.connection().scalars(_ACTIVE_STAFF_EMAILS))
        active.keep(_ACTIVE, kept, trusted_for, read_in)
    return list(kept)


def forget() -> None:
    """Ask the database again for every member and for who is active."""
    members.clear()
    active.clear()


def forget_written_staff(session: Session, _flush_context: Any, _instances: Any) -> None:
    """``before_flush``: where the flush writes a staff member, forget what was kept now,
    and again when the change commits (a request of another thread may read the old row
    in between)."""
    written = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(item, StaffUser) for item in written):
        forget()
        event.listen(session, "after_commit", lambda _session: forget(), once=True)
