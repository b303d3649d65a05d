"""The staff work list: returns in review by priority with their tags, in few queries."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth.models import Role
from tests.cases.test_cases_api import _file, backdate
from tests.shop import Shop, add_staff, csrf, sign_in


def test_the_work_list_in_english_puts_urgent_first_with_words_from_the_catalogue(
    app: Flask, session: Session, shop: Shop
) -> None:
    normal = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    urgent = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="en")
    agent = sign_in(app.test_client(), "aiko@shop.example")

    html = agent.get("/staff/").get_data(as_text=True)

    review = html.split('id="work-list"')[1].split("</table>")[0]
    assert review.index(urgent) < review.index(normal)
    assert re.findall(r'data-priority="\w+">([^<]+)<', review) == ["Urgent", "Normal"]
    assert re.search(r'class="due">due \d\d/\d\d \d\d:\d\d<', review)
    assert 'style="' not in review  # the colours are in staff.css: the policy refuses inline


def test_the_work_list_reads_each_table_once_however_many_rows(
    app: Flask, session: Session, shop: Shop
) -> None:
    add_staff(session, "aiko@shop.example", Role.ADMIN, locale="ja")
    agent = sign_in(app.test_client(), "aiko@shop.example")
    backdate(session, _file(shop, "#5001", "5001", "L4", "WRONG_ITEM"), 3)
    agent.get("/staff/")  # the process's first list confirms the kept ranks' mapping once
    with counted_statements(app) as one_row:
        assert agent.get("/staff/").status_code == 200
    _file(shop, "#5002", "5002", "L4", "UNWANTED")
    _file(shop, "#5003", "5003", "L4", "SIZE_TOO_SMALL")
    with counted_statements(app) as three_rows:
        assert agent.get("/staff/").status_code == 200

    assert len(three_rows) == len(one_row), three_rows
    # The signed-in member, the staff to filter by, and the page with everything it shows.
    assert len(three_rows) <= 3, three_rows


def test_a_returns_page_carries_its_priority_tag_and_due_time(
    app: Flask, session: Session, shop: Shop
) -> None:
    urgent = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    page = agent.get(f"/staff/returns/{urgent}?lang=en").get_data(as_text=True)

    assert 'data-priority="urgent">Urgent</span>' in page
    assert re.search(r'<span class="due[^"]*">due [^<]+</span>', page)


def test_a_listed_row_is_written_again_once_what_it_shows_changes(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="en")
    agent = sign_in(app.test_client(), "aiko@shop.example")

    def row(path: str = "/staff/") -> str:
        html = agent.get(path).get_data(as_text=True)
        return html.split(f">{rma}</a>")[1].split("</tr>")[0]

    assert "aiko@shop.example" not in row()
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    ref = re.search(r"/staff/cases/(return-\d+)/take", page).group(1)
    assert agent.post(f"/staff/cases/{ref}/take", data={"csrf": csrf(page)}).status_code == 302

    assert "<td>aiko@shop.example</td>" in row()
    assert "返品" in row("/staff/?lang=ja") and "Return" in row("/staff/?lang=en")
