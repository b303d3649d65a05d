"""The ranks kept on each case follow its signals, and the staff list they order reads as the
desk's own triage of the same cases (the cases API, worked out from the signals)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth.models import Role
from returns_service.cases.models import RankBasis
from returns_service.returns.models import ReturnRequest
from returns_service.subscriptions.models import SubscriptionCancellation
from tests.cases.test_cases_api import _file, backdate
from tests.shop import Shop, add_staff, order_document, sign_in


def _ranks(session: Session, rma: str) -> tuple[int, int, int]:
    session.expire_all()
    found = session.execute(
        select(ReturnRequest.own_rank, ReturnRequest.parcel_rank, ReturnRequest.signal_rank).where(
            ReturnRequest.rma == rma
        )
    ).one()
    return tuple(found)


def _parcel(shop: Shop, external_id: str, number: str, status: str) -> None:
    """The shop reports the order's parcel in ``status``."""
    document = order_document(number=number)
    document["shipments"][0]["status"] = status
    response = shop.client.put(
        f"/api/v1/orders/{external_id}", json=document, headers=shop.integration
    )
    assert response.status_code == 200, response.json


def _staff_list(client: FlaskClient) -> list[tuple[str, str]]:
    """(ref, priority) of each row of the staff work list, in its order."""
    html = client.get("/staff/?lang=en").get_data(as_text=True)
    rows = html.split('id="work-list"')[1].split("</table>")[0].split("<tr")[1:]
    listed = []
    for row in rows:
        ref = re.search(r'data-ref="([\w-]+)"', row)
        priority = re.search(r'data-priority="(\w+)"', row)
        if ref and priority:
            listed.append((ref.group(1), priority.group(1)))
    return listed


def _api_list(shop: Shop) -> list[tuple[str, str]]:
    response = shop.client.get("/api/v1/cases", headers=shop.agent)
    assert response.status_code == 200, response.json
    return [(case["id"], case["priority"]) for case in response.json]


def test_a_return_is_filed_with_the_ranks_of_its_reasons_and_parcels(
    shop: Shop, session: Session
) -> None:
    wrong = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    unwanted = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    not_as_described = _file(shop, "#5003", "5003", "L4", "NOT_AS_DESCRIBED")

    assert _ranks(session, wrong) == (0, 2, 0)
    assert _ranks(session, unwanted) == (2, 2, 2)
    assert _ranks(session, not_as_described) == (1, 2, 1)


def test_a_parcel_in_trouble_ranks_its_orders_cases_and_ranks_them_back_when_it_is_not(
    shop: Shop, session: Session
) -> None:
    unwanted = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    wrong = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    other = _file(shop, "#5003", "5003", "L4", "UNWANTED")

    _parcel(shop, "5002", "#5002", "exception")
    _parcel(shop, "5001", "#5001", "exception")
    assert _ranks(session, unwanted) == (2, 1, 1)
    assert _ranks(session, wrong) == (0, 1, 0)  # urgent stays urgent
    assert _ranks(session, other) == (2, 2, 2)  # another order's parcel

    _parcel(shop, "5002", "#5002", "delivered")
    assert _ranks(session, unwanted) == (2, 2, 2)


def test_a_move_of_state_ranks_the_case_again(
    shop: Shop, session: Session, configure: Callable[..., None]
) -> None:
    configure(CASE_PRIORITIES=json.dumps({"urgent": ["status:awaiting_parcel"]}))
    rma = _file(shop, "#5001", "5001", "L4", "UNWANTED")  # a person decides
    assert _ranks(session, rma) == (2, 2, 2)

    approved = shop.client.post(f"/api/v1/returns/{rma}/approve", headers=shop.agent, json={})
    assert approved.status_code == 200, approved.json

    assert _ranks(session, rma) == (0, 2, 0)


def test_the_staff_list_orders_and_tags_cases_as_the_desks_triage_does(
    app: Flask, shop: Shop, session: Session
) -> None:
    cases = {
        "urgent": _file(shop, "#5001", "5001", "L4", "WRONG_ITEM"),
        "aged": _file(shop, "#5002", "5002", "L4", "UNWANTED"),
        "parcel": _file(shop, "#5003", "5003", "L4", "SIZE_TOO_SMALL"),
        "high": _file(shop, "#5004", "5004", "L4", "NOT_AS_DESCRIBED"),
        "normal": _file(shop, "#5005", "5005", "L4", "UNWANTED"),
    }
    backdate(session, cases["aged"], 10)
    _parcel(shop, "5003", "#5003", "exception")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    listed = _staff_list(agent)

    refs = dict(session.execute(select(ReturnRequest.rma, ReturnRequest.id)).all())
    names = {f"return-{refs[rma]}": name for name, rma in cases.items()}
    assert listed == _api_list(shop)
    assert [(names[ref], priority) for ref, priority in listed] == [
        ("urgent", "urgent"),
        ("aged", "high"),
        ("parcel", "high"),
        ("high", "high"),
        ("normal", "normal"),
    ]


def test_the_list_cut_per_kind_matches_the_list_ranked_whole(
    app: Flask, shop: Shop, session: Session
) -> None:
    """Paged by the index (the open list) and ranked whole (the same cases, narrowed to
    nobody's): every page the same."""
    reasons = ["UNWANTED", "WRONG_ITEM", "NOT_AS_DESCRIBED", "SIZE_TOO_SMALL"]
    for number in range(8):
        rma = _file(shop, f"#60{number:02}", f"60{number:02}", "L4", reasons[number % 4])
        if number % 3 == 0:
            backdate(session, rma, 10 + number)
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    def refs(query: str) -> list[str]:
        html = agent.get(f"/staff/{query}").get_data(as_text=True)
        return re.findall(r'data-ref="([\w-]+)"', html)

    for offset in (0, 3, 6):
        by_index = refs(f"?limit=3&offset={offset}")
        ranked_whole = refs(f"?limit=3&offset={offset}&assignee=none")
        assert by_index == ranked_whole and by_index, offset


def test_a_new_mapping_ranks_the_open_cases_again_once(
    app: Flask, shop: Shop, session: Session, configure: Callable[..., None]
) -> None:
    unwanted = _file(shop, "#5001", "5001", "L4", "UNWANTED")
    wrong = _file(shop, "#5002", "5002", "L4", "WRONG_ITEM")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    assert [p for _, p in _staff_list(agent)] == ["urgent", "normal"]

    configure(CASE_PRIORITIES=json.dumps({"urgent": ["reason:UNWANTED"]}))
    with counted_statements(app) as first:
        listed = _staff_list(agent)
    with counted_statements(app) as again:
        assert _staff_list(agent) == listed

    refs = dict(session.execute(select(ReturnRequest.rma, ReturnRequest.id)).all())
    assert listed == [(f"return-{refs[unwanted]}", "urgent"), (f"return-{refs[wrong]}", "normal")]
    assert listed == _api_list(shop)
    assert len(again) < len(first)
    kept: Any = session.scalar(select(RankBasis.mapping))
    assert json.loads(kept) == {"urgent": ["reason:UNWANTED"]}


def test_a_subscriptions_cancellation_is_not_ranked_by_its_orders_parcels(
    app: Flask, shop: Shop, session: Session, configure: Callable[..., None]
) -> None:
    configure(CASE_PRIORITIES=json.dumps({"urgent": ["shipment:delivered"]}))
    latest = shop.put_subscription_orders("SUB-9")  # its parcel delivered: "urgent"
    customer = shop.customer(latest["number"], latest["customer"]["email"])
    started = shop.client.post(
        "/api/v1/subscriptions/SUB-9/cancellation", json={"reason": "moving"}, headers=customer
    )
    assert started.status_code == 201, started.json
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    flow = session.execute(
        select(
            SubscriptionCancellation.own_rank,
            SubscriptionCancellation.parcel_rank,
            SubscriptionCancellation.signal_rank,
        )
    ).one()
    assert tuple(flow) == (2, 2, 2)  # as the case page has it: parcels are no signal of it
    assert _staff_list(agent) == _api_list(shop) == [("subscription-1", "normal")]
