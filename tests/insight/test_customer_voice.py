"""The customer's voice by product, its CSV, and the desk's numbers on a fixed data set."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.cases import read_model, subject_keys
from returns_service.cases.models import CaseFile
from returns_service.returns.models import ReturnStatus
from tests.insight.history import give_back, sell, tokyo
from tests.shop import Shop

PERIOD = "since=2026-11-01T00:00:00%2B09:00&until=2026-12-01T00:00:00%2B09:00"


def _voice_history(session: Session) -> list[int]:
    """Three returns of mugs and one of a kettle in November; one mug return in October."""
    mugs = sell(session, "MUG", 10, tokyo(2026, 10, 20, 12))
    kettle = sell(session, "KETTLE", 2, tokyo(2026, 10, 25, 12))
    first = give_back(
        session, mugs, tokyo(2026, 11, 3, 10), ("DEFECTIVE", 2, "持ち手が欠けていました")
    )
    second = give_back(session, mugs, tokyo(2026, 11, 20, 15), ("UNWANTED", 1, ""))
    third = give_back(
        session,
        mugs,
        tokyo(2026, 11, 30, 23, 30),  # the last evening of the period in Tokyo
        ("DEFECTIVE", 1, "ひびがありました, 交換希望"),
        status=ReturnStatus.COMPLETED,
    )
    fourth = give_back(session, kettle, tokyo(2026, 11, 10, 9), ("SIZE_TOO_LARGE", 1, "大きすぎ"))
    give_back(session, mugs, tokyo(2026, 10, 31, 23, 59), ("DEFECTIVE", 3, "十月の返品"))
    session.commit()
    return [first.id, second.id, third.id, fourth.id]


def test_voice_by_product_with_reasons_and_comments(shop: Shop, session: Session) -> None:
    _voice_history(session)

    response = shop.client.get(f"/api/v1/insight/voice?{PERIOD}", headers=shop.agent)

    assert response.status_code == 200, response.json
    assert response.json["lines"] == 4
    mug, kettle = response.json["products"]
    assert (mug["sku"], mug["units"], mug["reasons"]) == ("MUG", 4, {"DEFECTIVE": 3, "UNWANTED": 1})
    assert [c["comment"] for c in mug["comments"]] == [
        "ひびがありました, 交換希望",
        "持ち手が欠けていました",
    ]
    assert (kettle["sku"], kettle["units"]) == ("KETTLE", 1)

    only = shop.client.get(
        f"/api/v1/insight/voice?{PERIOD}&sku=MUG&reason=DEFECTIVE", headers=shop.agent
    ).json
    assert only["lines"] == 2 and only["products"][0]["reasons"] == {"DEFECTIVE": 3}
    refused = shop.client.get(
        "/api/v1/insight/voice?since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z",
        headers=shop.agent,
    )
    assert refused.status_code == 422
    assert shop.client.get("/api/v1/insight/voice", headers=shop.warehouse).status_code == 403


def test_voice_csv_is_utf8_with_a_byte_order_mark(shop: Shop, session: Session) -> None:
    _voice_history(session)

    response = shop.client.get(f"/api/v1/insight/voice.csv?{PERIOD}&sku=MUG", headers=shop.agent)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "filed_at",
        "rma",
        "order_number",
        "sku",
        "title",
        "reason",
        "quantity",
        "status",
        "comment",
    ]
    assert [(r[0], r[5], r[6], r[8]) for r in rows[1:]] == [
        ("2026-11-30 23:30", "DEFECTIVE", "1", "ひびがありました, 交換希望"),
        ("2026-11-20 15:00", "UNWANTED", "1", ""),
        ("2026-11-03 10:00", "DEFECTIVE", "2", "持ち手が欠けていました"),
    ]


def test_satisfaction_by_dimension_matches_the_numbers_worked_out_by_hand(
    shop: Shop, session: Session
) -> None:
    first, second, third, fourth = _voice_history(session)
    answers = [
        (first, 5, "aoi@shop.example"),  # MUG, DEFECTIVE (urgent)
        (second, 2, "aoi@shop.example"),  # MUG, UNWANTED (normal)
        (third, 4, "ken@shop.example"),  # MUG, DEFECTIVE (urgent)
        (fourth, 3, None),  # KETTLE, SIZE_TOO_LARGE (normal)
    ]
    for subject_id, score, agent in answers:
        session.add(
            CaseFile(
                subject_type="return",
                subject_id=subject_id,
                assignee=agent,
                survey_scale="csat",
                survey_sent_at=tokyo(2026, 11, 30, 9),
                survey_score=score,
                survey_answered_at=tokyo(2026, 11, 30, 10),
                created_at=tokyo(2026, 11, 30, 9),
            )
        )
    session.commit()

    response = shop.client.get(f"/api/v1/metrics/satisfaction?{PERIOD}", headers=shop.agent)

    assert response.status_code == 200, response.json
    csat = response.json["csat"]
    assert "nps" not in response.json
    # (5 + 2 + 4 + 3) / 4 = 3.5; 4 and 5 are satisfied: 2 of 4.
    assert csat["overall"] == {"answers": 4, "average": 3.5, "satisfied_share": 0.5}
    assert csat["by_reason"] == {
        "DEFECTIVE": {"answers": 2, "average": 4.5, "satisfied_share": 1.0},
        "SIZE_TOO_LARGE": {"answers": 1, "average": 3.0, "satisfied_share": 0.0},
        "UNWANTED": {"answers": 1, "average": 2.0, "satisfied_share": 0.0},
    }
    # MUG: (5 + 2 + 4) / 3 = 3.67; 2 of 3 satisfied.
    assert csat["by_product"]["MUG"] == {"answers": 3, "average": 3.67, "satisfied_share": 0.6667}
    assert csat["by_priority"] == {
        "normal": {"answers": 2, "average": 2.5, "satisfied_share": 0.0},
        "urgent": {"answers": 2, "average": 4.5, "satisfied_share": 1.0},
    }
    assert csat["by_agent"] == {
        "(unassigned)": {"answers": 1, "average": 3.0, "satisfied_share": 0.0},
        "aoi@shop.example": {"answers": 2, "average": 3.5, "satisfied_share": 0.5},
        "ken@shop.example": {"answers": 1, "average": 4.0, "satisfied_share": 1.0},
    }
    assert csat["by_kind"] == {"return": csat["overall"]}


def test_share_of_promises_met_matches_the_dates_worked_out_by_hand(
    shop: Shop, session: Session
) -> None:
    mugs = sell(session, "MUG", 10, tokyo(2026, 10, 20, 12))

    def filed(at: tuple[int, ...], decided: tuple[int, ...] | None) -> None:
        request = give_back(session, mugs, tokyo(*at), ("UNWANTED", 1, ""))
        request.status = ReturnStatus.AWAITING_PARCEL if decided else ReturnStatus.REVIEW
        request.decided_at = tokyo(*decided) if decided else None

    # Decided at once by the rules: both promises met.
    filed((2026, 11, 2, 11), (2026, 11, 2, 11))
    # Friday 17:00: first answer due Monday 17:00 (1h + 7h), answered 17:30: missed;
    # resolution due Wednesday 17:00 (1h + 8h + 8h + 7h): met.
    filed((2026, 11, 6, 17), (2026, 11, 9, 17, 30))
    # Still in review since 11-18: both missed by now.
    filed((2026, 11, 18, 10), None)
    # Friday 12:00 before Monday 11-23 (a holiday): first answer due Tuesday 12:00; met at 11:00.
    filed((2026, 11, 20, 12), (2026, 11, 24, 11))
    session.commit()

    response = shop.client.get(f"/api/v1/metrics/cases?{PERIOD}", headers=shop.agent)

    assert response.status_code == 200, response.json
    assert response.json["cases"] == 4
    assert response.json["promises"] == {
        "first_response": {"met": 2, "missed": 2, "share_met": 0.5},
        "resolution": {"met": 3, "missed": 1, "share_met": 0.75},
    }
    assert response.json["by_kind"]["return"] == response.json["promises"]


def test_promises_are_read_in_one_statement_per_kind_of_case_however_many(
    app: Flask, shop: Shop, session: Session
) -> None:
    """A month of a big shop is tens of thousands of cases: read as whole cases, with their
    first answers asked for by a list of every case's key, it overran PostgreSQL's stack."""
    mugs = sell(session, "MUG", 40, tokyo(2026, 10, 20, 12))
    for day in range(1, 29):
        give_back(session, mugs, tokyo(2026, 11, day, 10), ("UNWANTED", 1, ""))
    session.commit()

    with counted_statements(app) as sent:
        response = shop.client.get(f"/api/v1/metrics/cases?{PERIOD}", headers=shop.agent)

    assert response.status_code == 200, response.json
    assert response.json["cases"] == 28
    case_reads = [s for s in sent if s.startswith("SELECT") and "api_tokens" not in s]
    assert len(case_reads) == 3  # returns, cancellations, subscriptions


def test_no_survey_answers_read_no_cases(app: Flask, shop: Shop, session: Session) -> None:
    """With nobody answering in the period, no case is read (an empty list of subjects was
    taken for "every case": a big shop's whole history, past PostgreSQL's parameters)."""
    mugs = sell(session, "MUG", 10, tokyo(2026, 10, 20, 12))
    give_back(session, mugs, tokyo(2026, 11, 2, 10), ("UNWANTED", 1, ""))
    session.commit()

    with counted_statements(app) as sent:
        response = shop.client.get(f"/api/v1/metrics/satisfaction?{PERIOD}", headers=shop.agent)

    assert response.status_code == 200, response.json
    assert not [s for s in sent if "return_requests" in s]


def test_many_cases_are_read_in_batches_a_statement_can_take(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    mugs = sell(session, "MUG", 10, tokyo(2026, 10, 20, 12))
    requests = [
        give_back(session, mugs, tokyo(2026, 11, day, 10), ("UNWANTED", 1, "")) for day in (2, 3, 4)
    ]
    session.flush()
    session.add(CaseFile(subject_type="return", subject_id=requests[2].id, assignee="ken@shop"))
    session.commit()
    monkeypatch.setattr(read_model, "IDS_PER_STATEMENT", 2)
    monkeypatch.setattr(subject_keys, "IDS_PER_STATEMENT", 2)

    with counted_statements(app) as sent:
        cases = read_model.load_cases(
            session, include_closed=True, subjects=[("return", r.id) for r in requests]
        )

    # Two batches (2 ids, then 1), each reading its returns, first answers and files.
    assert sum(s.startswith("SELECT return_requests") for s in sent) == 2, sent
    assert sum("FROM case_files" in s for s in sent) == 2, sent

    assert sorted(c.subject_id for c in cases) == sorted(r.id for r in requests)
    files = [c.file and c.file.assignee for c in sorted(cases, key=lambda c: c.subject_id)]
    assert files == [None, None, "ken@shop"]
