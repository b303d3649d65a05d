"""The work list at /staff/: every kind of case, its filters, its search and the scan box."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth.models import Role
from returns_service.cases.models import CaseFile
from returns_service.models import utcnow
from returns_service.orders.models import Customer
from returns_service.returns.models import ReturnRequest
from tests.cases.test_cases_api import _file, backdate
from tests.shop import Shop, add_staff, sign_in
from tests.staff.case_helpers import pending_stop, subscription_flow


def _refs(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/staff/{query}")
    assert response.status_code == 200
    return re.findall(r'data-ref="([\w-]+)"', response.get_data(as_text=True))


def _agent(app: Flask, session: Session, locale: str = "en") -> FlaskClient:
    add_staff(session, "aiko@shop.example", Role.AGENT, locale=locale)
    return sign_in(app.test_client(), "aiko@shop.example")


def test_every_kind_waiting_for_a_person_is_listed_with_its_words(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L4", "UNWANTED")
    stop = pending_stop(shop)
    flow = subscription_flow(shop)
    agent = _agent(app, session)

    page = agent.get("/staff/?lang=ja").get_data(as_text=True)

    refs = re.findall(r'data-ref="([\w-]+)"', page)
    assert set(refs) == {"return-1", f"cancellation-{stop['id']}", f"subscription-{flow['id']}"}
    # The warehouse stop is high priority by the shop's mapping: before the normal return.
    assert refs.index(f"cancellation-{stop['id']}") < refs.index("return-1")
    assert f'href="/staff/returns/{rma}"' in page
    assert f'href="/staff/cancellations/{stop["id"]}"' in page
    assert f'href="/staff/subscriptions/{flow["id"]}"' in page
    assert "倉庫の出荷停止待ち" in page and "定期便の解約" in page
    assert "佐藤 花子" in page


def test_filters_by_kind_status_reason_date_and_assignee(
    app: Flask, session: Session, shop: Shop
) -> None:
    wrong = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    unwanted = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    backdate(session, unwanted, 10)
    stop = pending_stop(shop)
    agent = _agent(app, session)
    first = session.query(ReturnRequest.id).filter_by(rma=wrong).scalar()
    second = session.query(ReturnRequest.id).filter_by(rma=unwanted).scalar()
    cancellation = f"cancellation-{stop['id']}"

    assert _refs(agent, "?kind=order_cancellation") == [cancellation]
    assert _refs(agent, "?kind=exchange") == []
    assert _refs(agent, "?status=pending_stop") == [cancellation]
    assert _refs(agent, "?status=completed") == []
    assert _refs(agent, "?reason=WRONG_ITEM") == [f"return-{first}"]
    today = utcnow().astimezone(ZoneInfo(app.config["TIMEZONE"])).date()
    assert _refs(agent, f"?since={today}&kind=return") == [f"return-{first}"]
    yesterday = today - timedelta(days=1)
    assert _refs(agent, f"?until={yesterday}&kind=return") == [f"return-{second}"]
    assert _refs(agent, "?assignee=me") == []
    session.add(CaseFile(subject_type="return", subject_id=second, assignee="aiko@shop.example"))
    session.commit()
    assert _refs(agent, "?assignee=me") == [f"return-{second}"]
    assert f"return-{second}" not in _refs(agent, "?assignee=none")
    assert _refs(agent, "?since=not-a-date&kind=return") == [f"return-{first}", f"return-{second}"]


def test_search_by_rma_order_tracking_name_email_and_phone(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L4", "UNWANTED")
    other = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    session.execute(
        update(ReturnRequest).where(ReturnRequest.rma == rma).values(tracking_number="RT-777")
    )
    session.execute(update(Customer).values(phone="09012345678"))
    session.commit()
    agent = _agent(app, session)
    first = f"return-{session.query(ReturnRequest.id).filter_by(rma=rma).scalar()}"

    assert _refs(agent, f"?q={rma.lower()}") == [first]
    assert _refs(agent, "?q=%235001") == [first]
    assert _refs(agent, "?q=5001") == [first]
    assert _refs(agent, "?q=RT-777") == [first]
    assert len(_refs(agent, "?q=佐藤")) == 2  # both orders are hers, found by her name
    assert _refs(agent, "?q=花子") == []  # a name is searched from its start
    assert len(_refs(agent, "?q=HANAKO@example.jp")) == 2
    assert len(_refs(agent, "?q=09012345678")) == 2
    assert _refs(agent, "?q=nobody-at-all") == []
    assert other


def test_a_scanned_rma_or_tracking_number_opens_the_return(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L4", "UNWANTED")
    session.execute(
        update(ReturnRequest).where(ReturnRequest.rma == rma).values(tracking_number="RT-777")
    )
    session.commit()
    add_staff(session, "soko@shop.example", Role.WAREHOUSE)
    warehouse = sign_in(app.test_client(), "soko@shop.example")

    page = warehouse.get("/staff/").get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*id="scan-code"|id="scan-code"[^>]*autofocus', page)
    by_rma = warehouse.get(f"/staff/scan?code={rma.lower()}%20")
    assert by_rma.status_code == 302 and by_rma.headers["Location"] == f"/staff/returns/{rma}"
    by_tracking = warehouse.get("/staff/scan?code=RT-777")
    assert by_tracking.headers["Location"] == f"/staff/returns/{rma}"
    unknown = warehouse.get("/staff/scan?code=NOPE-1")
    assert unknown.status_code == 302 and unknown.headers["Location"] == "/staff/?q=NOPE-1"
    # The agent's list is not focused on the scan box.
    agent_page = _agent(app, session).get("/staff/").get_data(as_text=True)
    assert "autofocus" not in agent_page


def test_a_tracking_number_of_several_returns_lists_them(
    app: Flask, session: Session, shop: Shop
) -> None:
    _file(shop, "#5001", "5001", "L4", "UNWANTED")
    _file(shop, "#5002", "5002", "L4", "UNWANTED")
    session.execute(update(ReturnRequest).values(tracking_number="RT-SHARED"))
    session.commit()
    agent = _agent(app, session)

    scanned = agent.get("/staff/scan?code=RT-SHARED")

    assert scanned.headers["Location"] == "/staff/?q=RT-SHARED"
    assert len(_refs(agent, "?q=RT-SHARED")) == 2


def test_the_list_is_paged_and_reads_the_same_queries_for_any_page_length(
    app: Flask, session: Session, shop: Shop
) -> None:
    for number in range(3):
        _file(shop, f"#50{number}", f"50{number}", "L4", "UNWANTED")
    agent = _agent(app, session)
    _refs(agent)  # the process's first list confirms the kept ranks' mapping once
    with counted_statements(app) as all_three:
        assert len(_refs(agent)) == 3
    page = agent.get("/staff/?kind=return&limit=2").get_data(as_text=True)
    assert len(re.findall(r'data-ref="', page)) == 2
    assert 'rel="next" href="/staff/?offset=2&amp;kind=return&amp;limit=2"' in page
    with counted_statements(app) as last_page:
        assert len(_refs(agent, "?kind=return&limit=2&offset=2")) == 1
    assert len(last_page) == len(all_three)


def test_closed_cases_are_listed_newest_first(app: Flask, session: Session, shop: Shop) -> None:
    older = _file(shop, "#5001", "5001", "L2", "UNWANTED")  # refunded at once: closed
    newer = _file(shop, "#5002", "5002", "L2", "UNWANTED")
    backdate(session, older, 3)
    agent = _agent(app, session)
    ids = dict(session.execute(select(ReturnRequest.rma, ReturnRequest.id)).all())
    status = session.scalar(select(ReturnRequest.status).where(ReturnRequest.rma == newer))

    listed = _refs(agent, f"?status={status.value}")

    assert listed == [f"return-{ids[newer]}", f"return-{ids[older]}"]
    assert _refs(agent) == []  # closed cases leave the open list
    assert _refs(agent, f"?q={older}") == [f"return-{ids[older]}"]  # a search finds history


def test_the_words_follow_each_page_s_language_in_turn(
    app: Flask, session: Session, shop: Shop
) -> None:
    subscription_flow(shop)
    agent = _agent(app, session)

    pages = [
        agent.get(f"/staff/?lang={lang}").get_data(as_text=True) for lang in "ja en ja".split()
    ]

    assert "定期便の解約" in pages[0] and "定期便の解約" in pages[2]
    assert "Subscription cancellation" in pages[1] and "定期便の解約" not in pages[1]
