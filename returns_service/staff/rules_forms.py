"""The rules pages' forms: a draft as YAML or from the editor, and a simulation's period."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, NumberRange, Optional


class RulesDraftForm(FlaskForm):
    """A rule set as YAML, the version it started from and the draft it replaces, if any."""

    document = TextAreaField(_l("Rules"), [Length(max=200_000)])
    based_on_id = IntegerField(validators=[Optional()])
    draft_id = IntegerField(validators=[Optional()])


class EditorForm(FlaskForm):
    """The structured editor's fixed fields; the rules' fields are read by rule_form."""

    based_on_id = IntegerField(validators=[Optional()])
    draft_id = IntegerField(validators=[Optional()])


class SimulateForm(FlaskForm):
    """Which past requests to decide again: the last N, or those filed in a period."""

    span = RadioField(
        _l("Requests"),
        choices=[
            SelectChoice("last", _l("The last requests")),
            SelectChoice("period", _l("A period")),
        ],
        default="last",
    )
    last = IntegerField(
        _l("How many"), [Optional(), NumberRange(min=1, max=1_000_000)], default=100
    )
    since = DateField(_l("From"), [Optional()])
    until = DateField(_l("To (included)"), [Optional()])

    def period(self) -> tuple[int | None, datetime | None, datetime | None]:
        """``(last, since, until)``: the count, or the days as times in the shop's zone."""
        if self.span.data != "period" or self.since.data is None:
            return self.last.data or 100, None, None
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        since = datetime.combine(self.since.data, time(), zone)
        until = (
            datetime.combine(self.until.data + timedelta(days=1), time(), zone)
            if self.until.data
            else None
        )
        return None, since, until
