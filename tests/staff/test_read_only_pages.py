"""A staff page opened reads without a transaction block and may not write; a form sent
still runs in one transaction."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from returns_service.auth.models import Role, StaffUser
from returns_service.extensions import WriteWhileReadOnly, db
from tests.shop import add_staff, csrf, sign_in


def _autocommit_per_statement() -> tuple[list[bool], Any]:
    seen: list[bool] = []

    def sending(connection: Any, cursor: Any, *args: Any) -> None:
        seen.append(cursor.connection.autocommit)

    event.listen(db.engine, "before_cursor_execute", sending)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", sending)


def test_an_opened_page_sends_its_statements_without_a_transaction(
    app: Flask, session: Session
) -> None:
    add_staff(session, "aiko@shop.example", Role.ADMIN)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    agent.get("/staff/")  # the process's first list confirms the kept ranks' mapping once
    seen, stop = _autocommit_per_statement()
    try:
        assert agent.get("/staff/").status_code == 200
    finally:
        stop()
    assert seen and all(seen), seen


def test_a_form_sent_runs_in_a_transaction(app: Flask, session: Session) -> None:
    add_staff(session, "aiko@shop.example", Role.ADMIN)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    page = agent.get("/staff/").get_data(as_text=True)
    seen, stop = _autocommit_per_statement()
    try:
        assert agent.post("/staff/logout", data={"csrf": csrf(page)}).status_code == 302
    finally:
        stop()
    assert seen and not any(seen), seen


def test_a_read_only_session_refuses_a_write_and_writes_nothing(
    app: Flask, session: Session
) -> None:
    add_staff(session, "aiko@shop.example", Role.ADMIN)
    with app.test_request_context("/staff/"):
        db.read_only_session()
        with pytest.raises(WriteWhileReadOnly, match="DELETE FROM staff_users"):
            db.session.execute(text("DELETE FROM staff_users"))
        db.session.remove()
    assert session.scalar(select(func.count()).select_from(StaffUser)) == 1
