"""The admin pages: staff logins, API tokens, webhooks, failed jobs, integrations."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from returns_service.auth.models import ApiToken, Role, StaffUser
from returns_service.notifications.models import WebhookEndpoint
from returns_service.outbox import MessageStatus, OutboxMessage
from tests.shop import PASSWORD, add_staff, csrf, sign_in
from tests.staff.admin_seed import endpoint_with_failure, failed_job
from tests.test_translations import _english_phrases


def _admin(app: Flask, session: Session) -> FlaskClient:
    add_staff(session, "boss@shop.example", Role.ADMIN, locale="ja")
    return sign_in(app.test_client(), "boss@shop.example")


def _post(client: FlaskClient, page: str, action: str, data: Mapping[str, str] | None = None):
    token = csrf(client.get(page).get_data(as_text=True))
    form = MultiDict(data or {})
    form["csrf"] = token
    return client.post(action, data=form)


def test_an_admin_adds_a_staff_member_who_signs_in_with_the_password_shown_once(
    app: Flask, session: Session
) -> None:
    admin = _admin(app, session)
    page = admin.get("/staff/admin/users").get_data(as_text=True)
    assert "スタッフのアカウント" in page and "boss@shop.example" in page

    added = _post(
        admin,
        "/staff/admin/users",
        "/staff/admin/users",
        {"email": "New@Shop.example", "name": "山田", "role": "warehouse", "locale": "ja"},
    )
    html = added.get_data(as_text=True)
    assert added.status_code == 201 and added.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code id="password">([^<]+)</code>', html).group(1)
    user = session.scalar(select(StaffUser).where(StaffUser.email == "new@shop.example"))
    assert user is not None and user.role is Role.WAREHOUSE and password not in user.password_hash
    assert password not in admin.get("/staff/admin/users").get_data(as_text=True)
    sign_in(app.test_client(), "new@shop.example", password)

    again = _post(
        admin,
        "/staff/admin/users",
        "/staff/admin/users",
        {"email": "new@shop.example", "role": "agent"},
    )
    assert (
        again.status_code == 409
        and "このメールアドレスのアカウントはすでにあります" in again.get_data(as_text=True)
    )
    no_email = _post(
        admin, "/staff/admin/users", "/staff/admin/users", {"email": "", "role": "agent"}
    )
    assert no_email.status_code == 422
    integration = _post(
        admin,
        "/staff/admin/users",
        "/staff/admin/users",
        {"email": "x@shop.example", "role": "integration"},
    )
    assert integration.status_code == 422  # a token's role, not a person's


def test_role_change_password_reset_and_deactivation_end_the_persons_sessions(
    app: Flask, session: Session
) -> None:
    admin = _admin(app, session)
    agent = add_staff(session, "aiko@shop.example", Role.AGENT)
    aiko = sign_in(app.test_client(), "aiko@shop.example")
    users = "/staff/admin/users"

    changed = _post(admin, users, f"{users}/{agent.id}/role", {"role": "warehouse"})
    assert changed.status_code == 302 and "done=role" in changed.headers["Location"]
    session.refresh(agent)
    assert agent.role is Role.WAREHOUSE
    assert aiko.get("/staff/").status_code == 302  # signed out by the change

    reset = _post(admin, users, f"{users}/{agent.id}/password")
    new_password = re.search(r'<code id="password">([^<]+)</code>', reset.get_data(as_text=True))
    assert reset.status_code == 200 and new_password
    refused = app.test_client()
    form = csrf(refused.get("/staff/login").get_data(as_text=True))
    old = refused.post(
        "/staff/login", data={"csrf": form, "email": "aiko@shop.example", "password": PASSWORD}
    )
    assert old.status_code == 401
    aiko = sign_in(app.test_client(), "aiko@shop.example", new_password.group(1))

    gone = _post(admin, users, f"{users}/{agent.id}/deactivate")
    assert gone.status_code == 302
    assert aiko.get("/staff/").status_code == 302
    me = session.scalar(select(StaffUser).where(StaffUser.email == "boss@shop.example"))
    myself = _post(admin, users, f"{users}/{me.id}/deactivate")
    assert myself.status_code == 409
    assert _post(admin, users, f"{users}/999/deactivate").status_code == 404


def test_an_admin_creates_a_token_sees_it_once_and_revokes_it(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    tokens = "/staff/admin/tokens"

    made = _post(admin, tokens, tokens, {"name": "倉庫システム", "role": "warehouse"})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    plain = re.search(r'<code id="token">([^<]+)</code>', made.get_data(as_text=True)).group(1)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {plain}"}
    assert api.get("/api/v1/returns", headers=bearer).status_code == 200
    listed = admin.get(tokens).get_data(as_text=True)
    assert "倉庫システム" in listed and plain not in listed and "倉庫" in listed

    token = session.scalar(select(ApiToken))
    revoked = _post(admin, tokens, f"{tokens}/{token.id}/revoke")
    assert revoked.status_code == 302
    assert api.get("/api/v1/returns", headers=bearer).status_code == 401
    assert _post(admin, tokens, f"{tokens}/{token.id}/revoke").status_code == 409
    assert _post(admin, tokens, tokens, {"name": "", "role": "agent"}).status_code == 422


def test_failed_deliveries_are_listed_and_sent_again(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    on = endpoint_with_failure(session, "https://hooks.example.jp/returns")
    off = endpoint_with_failure(session, "https://other.example.jp/hooks", active=False)
    page = admin.get("/staff/admin/webhooks?lang=en").get_data(as_text=True)
    assert "HTTP 503 from the receiver" in page and "whsec-never-shown" not in page
    assert f'id="resend-{on.id}"' in page and f'id="switch-on-{off.id}"' in page

    refused = _post(admin, "/staff/admin/webhooks", f"/staff/admin/webhooks/{off.id}/resend")
    assert refused.status_code == 409
    resent = _post(admin, "/staff/admin/webhooks", f"/staff/admin/webhooks/{on.id}/resend")
    assert resent.status_code == 302 and "resent=1" in resent.headers["Location"]
    assert "1 delivery is sent again." in admin.get(resent.headers["Location"]).get_data(
        as_text=True
    )
    statuses = {m.payload["endpoint_id"]: m.status for m in session.scalars(select(OutboxMessage))}
    assert statuses == {on.id: MessageStatus.PENDING, off.id: MessageStatus.FAILED}

    switched = _post(admin, "/staff/admin/webhooks", f"/staff/admin/webhooks/{off.id}/switch-on")
    assert switched.status_code == 302
    session.refresh(off)
    assert off.active


def test_an_admin_adds_an_endpoint_sees_its_secret_once_and_switches_it_off_and_on(
    app: Flask, session: Session
) -> None:
    admin = _admin(app, session)
    hooks = "/staff/admin/webhooks"

    form = MultiDict(
        [
            ("url", "https://erp.example.com/hooks"),
            ("description", "基幹システム"),
            ("events", "return.approved"),
            ("events", "refund.issued"),
        ]
    )
    made = _post(admin, hooks, hooks, form)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    shown = re.search(r'<code id="secret">([^<]+)</code>', made.get_data(as_text=True)).group(1)
    endpoint = session.scalar(select(WebhookEndpoint))
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        "https://erp.example.com/hooks",
        ["refund.issued", "return.approved"],
        True,
    )
    assert shown == endpoint.secret and len(shown) >= 32
    listed = admin.get(hooks).get_data(as_text=True)
    assert shown not in listed
    assert "返金を行ったとき、返品を承認したとき" in listed and "基幹システム" in listed

    off = _post(admin, hooks, f"{hooks}/{endpoint.id}/switch-off")
    assert off.status_code == 302
    session.refresh(endpoint)
    assert not endpoint.active
    page = admin.get(off.headers["Location"]).get_data(as_text=True)
    assert "送信先を停止しました。" in page and f'id="switch-on-{endpoint.id}"' in page
    assert _post(admin, hooks, f"{hooks}/{endpoint.id}/switch-on").status_code == 302
    session.refresh(endpoint)
    assert endpoint.active
    assert _post(admin, hooks, f"{hooks}/999/switch-off").status_code == 404


def test_an_endpoint_to_a_private_address_or_an_unknown_event_is_refused(
    app: Flask, session: Session
) -> None:
    admin = _admin(app, session)
    hooks = "/staff/admin/webhooks"

    private = _post(admin, hooks, hooks, {"url": "https://192.168.1.10/hooks"})
    unknown = _post(admin, hooks, hooks, {"url": "https://erp.example.com", "events": "x.y"})
    empty = _post(admin, hooks, hooks, {"url": ""})

    assert private.status_code == 422
    assert "インターネットに公開された" in private.get_data(as_text=True)
    assert unknown.status_code == 422 and empty.status_code == 422
    assert session.scalar(select(WebhookEndpoint)) is None


def test_a_failed_job_shows_its_error_and_goes_back_in_line(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    job = failed_job(session, "warehouse_sync_stock", "LOGILESS answered 401: invalid_token")
    page = admin.get("/staff/admin/jobs").get_data(as_text=True)
    assert "LOGILESS answered 401: invalid_token" in page and "失敗した処理" in page

    retried = _post(admin, "/staff/admin/jobs", f"/staff/admin/jobs/{job.id}/retry")
    assert retried.status_code == 302
    session.refresh(job)
    assert job.status is MessageStatus.PENDING and job.attempts == 0
    assert _post(admin, "/staff/admin/jobs", f"/staff/admin/jobs/{job.id}/retry").status_code == 409
    assert _post(admin, "/staff/admin/jobs", "/staff/admin/jobs/nope/retry").status_code == 404


def test_integrations_show_whether_they_are_on_and_their_last_error_never_a_secret(
    app: Flask, session: Session, configure
) -> None:
    configure(
        ZENDESK_API_BASE="http://127.0.0.1:9/api/v2",
        ZENDESK_API_TOKEN="zd-secret-token",
        LINE_CHANNEL_SECRET="line-secret",
    )
    failed_job(session, "zendesk_open_ticket", "Zendesk answered 500")
    admin = _admin(app, session)

    page = admin.get("/staff/admin/integrations?lang=ja").get_data(as_text=True)
    english = admin.get("/staff/admin/integrations?lang=en").get_data(as_text=True)

    assert "Zendeskのチケット" in page and "Zendesk answered 500" in page
    assert "zd-secret-token" not in page and "line-secret" not in page
    zendesk = re.search(r'<tr id="integration-zendesk">(.*?)</tr>', english, re.S).group(1)
    line = re.search(r'<tr id="integration-line">(.*?)</tr>', english, re.S).group(1)
    shopify = re.search(r'<tr id="integration-shopify_returns">(.*?)</tr>', english, re.S).group(1)
    assert "<td>On</td>" in zendesk and "<td>On</td>" in line and "<td>Off</td>" in shopify
    assert "Our signed webhooks" in english


def test_the_admin_pages_show_no_english_on_japanese_pages(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    endpoint_with_failure(session, "https://hooks.example.jp/returns")
    failed_job(session, "warehouse_sync_stock", "timed out")
    english = _english_phrases()
    for path in ("users", "tokens", "webhooks", "jobs", "integrations"):
        page = admin.get(f"/staff/admin/{path}?lang=ja")
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert '<html lang="ja">' in html
        assert [phrase for phrase in english if phrase in html] == [], path


def test_every_kind_of_job_has_words_on_the_failed_jobs_page() -> None:
    from returns_service.staff.admin_jobs import JOB_LABELS
    from returns_service.wiring import JOBS

    assert set(JOB_LABELS) == set(JOBS)
