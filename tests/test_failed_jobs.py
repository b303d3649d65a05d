"""A job that keeps failing lands where staff see it, and staff can put it back in line."""

from __future__ import annotations

import socket
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.notifications.smtp import close_kept_connection
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.worker import work_burst
from tests.shop import Shop


class FlakyMailbox:
    """Refuses every message until told to accept them."""

    def __init__(self) -> None:
        self.accepting = False
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if not self.accepting:
            return "451 try again later"
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_failed_job_is_listed_and_retried_by_staff(
    app: Flask, shop: Shop, session: Session, token_for: Any
) -> None:
    mailbox = FlakyMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "JOB_RETRIES")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, JOB_RETRIES=2)
    try:
        order = shop.put_order()
        shop.file(
            shop.customer(),
            [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}],
        )
        work_burst(app)
        failed = shop.client.get("/api/v1/jobs/failed", headers=shop.agent)
        assert failed.status_code == 200
        assert {job["job"] for job in failed.json} == {"send_email"}
        assert all(job["attempts"] == 3 for job in failed.json)  # the first try and 2 retries
        assert all("451" in job["last_error"] for job in failed.json)
        assert (
            shop.client.get("/api/v1/jobs/failed", headers=token_for(Role.WAREHOUSE)).status_code
            == 403
        )

        mailbox.accepting = True
        for job in failed.json:
            retried = shop.client.post(f"/api/v1/jobs/{job['id']}/retry", headers=shop.agent)
            assert retried.status_code == 202
            assert retried.json["status"] == "pending"
        again = shop.client.post(f"/api/v1/jobs/{failed.json[0]['id']}/retry", headers=shop.agent)
        assert again.status_code == 409
        assert shop.client.post("/api/v1/jobs/nope/retry", headers=shop.agent).status_code == 404
        work_burst(app)
    finally:
        app.config.update(saved)
        close_kept_connection()
        controller.stop()
    assert mailbox.received == len(failed.json)
    statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {MessageStatus.SUCCEEDED}
