"""The demo's mailbox page shows stored e-mail to admins, masks credit codes, and exists only
in the demo."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.notifications.models import SentEmail, Transport
from tests.shop import add_staff, sign_in

Override = Callable[..., AbstractContextManager[None]]


@pytest.fixture
def staff(client: FlaskClient, session: Session) -> FlaskClient:
    """The test client, signed in as an admin."""
    add_staff(session, "kenji@shop.example", Role.ADMIN)
    return sign_in(client, "kenji@shop.example")


def _store(session: Session, **fields: object) -> None:
    values = {
        "outbox_message_id": "m1",
        "kind": "return_received",
        "to_address": "hanako@example.jp",
        "locale": "ja",
        "subject": "返品のお申し込みを受け付けました（返品番号 RMA-1）",
        "body": "山田 花子 様\n\n返品番号：RMA-1\n",
        "subject_type": "return",
        "subject_id": 1,
        "sent_at": datetime(2026, 12, 1, 3, 4, tzinfo=UTC),
        "transport": Transport.MAILBOX,
    }
    session.add(SentEmail(**(values | fields)))
    session.commit()


def test_demo_mode_lists_stored_mail_newest_first(
    staff: FlaskClient, session: Session, override_config: Override
) -> None:
    _store(session)
    _store(
        session,
        outbox_message_id="m2",
        locale="en",
        to_address="jane@example.com",
        subject="Your return RMA-2 is approved",
        body="Dear <script>alert(1)</script>,\n",
        sent_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )

    with override_config(MAIL_ON_DISK=True, TIMEZONE="Asia/Tokyo"):
        page = staff.get("/staff/mail?lang=en")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and "Mailbox" in html
    assert html.index("Your return RMA-2 is approved") < html.index("RMA-1）")
    assert "jane@example.com" in html and "hanako@example.jp" in html
    assert "返品番号：RMA-1" in html and '<article lang="ja"' in html
    assert "12/1/26, 12:04" in html  # shown in the shop's time zone
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_page_speaks_the_language_chosen(
    staff: FlaskClient, session: Session, override_config: Override
) -> None:
    with override_config(MAIL_ON_DISK=True):
        page = staff.get("/staff/mail?lang=ja", headers={"Accept-Language": "en"})

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="ja">' in html and "まだメールはありません。" in html


def test_page_does_not_exist_when_mail_goes_out_by_smtp(
    staff: FlaskClient, session: Session, override_config: Override
) -> None:
    _store(session)

    with override_config(MAIL_ON_DISK=False):
        page = staff.get("/staff/mail")

    assert page.status_code == 404
    assert "RMA-1" not in page.get_data(as_text=True)


def test_visitors_are_sent_to_sign_in(
    client: FlaskClient, session: Session, override_config: Override
) -> None:
    _store(session)
    with override_config(MAIL_ON_DISK=True):
        page = client.get("/staff/mail")
    assert page.status_code == 302
    assert page.headers["Location"].endswith("/staff/login")


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.AGENT])
def test_only_admins_read_the_mailbox(
    client: FlaskClient, session: Session, override_config: Override, role: Role
) -> None:
    _store(session)
    add_staff(session, "someone@shop.example", role)
    sign_in(client, "someone@shop.example")
    with override_config(MAIL_ON_DISK=True):
        page = client.get("/staff/mail")
    assert page.status_code == 403
    assert "RMA-1" not in page.get_data(as_text=True)


def test_store_credit_codes_are_masked(
    staff: FlaskClient, session: Session, override_config: Override
) -> None:
    _store(
        session,
        kind="refund_issued",
        body="ストアクレジットのコード：SC-0A1B2C3D4E\n",
    )
    with override_config(MAIL_ON_DISK=True):
        html = staff.get("/staff/mail").get_data(as_text=True)
    assert "SC-0A1B2C3D4E" not in html
    assert "SC-********4E" in html


def test_the_mailbox_has_the_staff_navigation_and_a_filter(
    staff: FlaskClient, session: Session, override_config: Override
) -> None:
    _store(session)
    _store(
        session,
        outbox_message_id="m2",
        kind="refund_issued",
        to_address="jane@example.com",
        subject="Your refund of 100% is on its way",
    )
    _store(session, outbox_message_id="m3", to_address="jane@example.com", subject="RMA-3")

    with override_config(MAIL_ON_DISK=True):
        everything = staff.get("/staff/mail?lang=ja").get_data(as_text=True)
        to_jane = staff.get("/staff/mail?recipient=JANE@").get_data(as_text=True)
        refunds = staff.get("/staff/mail?recipient=jane&kind=refund_issued").get_data(as_text=True)
        by_subject = staff.get("/staff/mail?subject=100%25").get_data(as_text=True)
        no_match = staff.get("/staff/mail?subject=_").get_data(as_text=True)

    assert 'href="/staff/numbers"' in everything and 'id="mail-filter"' in everything
    assert everything.count("<article") == 3
    assert to_jane.count("<article") == 2 and "hanako@example.jp</dd>" not in to_jane
    assert refunds.count("<article") == 1 and "Your refund" in refunds
    assert by_subject.count("<article") == 1  # % is a character searched for, not a wildcard
    assert no_match.count("<article") == 0
