"""Staff pages: the numbers of a period as charts and tables, each table also as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional

from returns_service.auth.staff_sessions import staff_required
from returns_service.cases.policy import CasePolicy
from returns_service.extensions import db
from returns_service.insight.satisfaction import case_numbers, satisfaction
from returns_service.metrics.dashboard import dashboard
from returns_service.models import utcnow
from returns_service.staff.numbers_desk import desk_tables
from returns_service.staff.numbers_tables import Table, exported, numbers_tables, shown
from returns_service.staff.views import render

#: The period shown when none is chosen: the last 30 days, today included.
DEFAULT_DAYS = 30


class PeriodForm(FlaskForm):
    """The first and last day of the period, in the shop's calendar (a GET form)."""

    class Meta:
        csrf = False

    since = DateField(_l("First day"), [Optional()])
    until = DateField(_l("Last day"), [Optional()])


@dataclass(frozen=True, slots=True)
class Period:
    """Days of the shop's calendar, first and last included, and the instants they span."""

    first: date
    last: date
    since: datetime
    until: datetime
    default: bool


def _period(form: PeriodForm, zone: ZoneInfo) -> tuple[Period, str]:
    """The chosen period, or the last 30 days with the reason when the choice is wrong."""
    today = utcnow().astimezone(zone).date()
    error = ""
    if not form.validate():
        error = gettext("Give the dates as year, month and day.")
    last = (form.until.data if not error else None) or today
    first = (form.since.data if not error else None) or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        error = gettext("The first day comes after the last day; the last 30 days are shown.")
        first, last = today - timedelta(days=DEFAULT_DAYS - 1), today
    since = datetime.combine(first, time(), zone).astimezone(UTC)
    until = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    default = (first, last) == (today - timedelta(days=DEFAULT_DAYS - 1), today)
    return Period(first, last, since, until, default), error


def _report_tables(period: Period) -> list[Table]:
    numbers = dashboard(
        db.session, period.since, period.until, utcnow(), current_app.config["TIMEZONE"]
    )
    return numbers_tables(numbers)


def _desk_tables(period: Period) -> tuple[list[Table], dict[str, Any]]:
    """The promises and survey tables, and the survey answers (empty when none came)."""
    now = utcnow()
    policy = CasePolicy.from_config(current_app.config)
    cases = case_numbers(db.session, period.since, period.until, now)
    survey = satisfaction(db.session, period.since, period.until, policy, now)
    return desk_tables(cases, survey), survey


@staff_required()
def numbers() -> ResponseReturnValue:
    """The period's charts and tables, promises kept and satisfaction."""
    form = PeriodForm(formdata=request.args)
    period, error = _period(form, ZoneInfo(current_app.config["TIMEZONE"]))
    form.since.data, form.until.data = period.first, period.last
    desk, survey = _desk_tables(period)
    return render(
        "staff/numbers.html",
        form=form,
        period=period,
        tables=_report_tables(period) + desk,
        survey_answered=bool(survey),
        shown=shown,
        error=error,
    )


def csv_body(table: Table) -> str:
    """The table as CSV with a byte order mark, which Excel needs to read UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([exported(cell) for cell in row] for row in table.rows)
    return out.getvalue()


@staff_required()
def numbers_csv(table_id: str) -> ResponseReturnValue:
    """One table of the numbers page, for the same period, as a CSV file."""
    period, _ = _period(PeriodForm(formdata=request.args), ZoneInfo(current_app.config["TIMEZONE"]))
    # Only the tables of the file's own source are computed.
    desk = table_id == "promises" or table_id.startswith("satisfaction-")
    tables = _desk_tables(period)[0] if desk else _report_tables(period)
    table = next((t for t in tables if t.id == table_id), None)
    if table is None:
        abort(404)
    name = f"{table.id}_{period.first.isoformat()}_{period.last.isoformat()}.csv"
    return Response(
        csv_body(table).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


def register(bp: Blueprint) -> None:
    """Add the numbers and their CSV files to the staff blueprint."""
    bp.add_url_rule("/numbers", view_func=numbers, methods=["GET"])
    bp.add_url_rule("/numbers/<table_id>.csv", view_func=numbers_csv, methods=["GET"])
