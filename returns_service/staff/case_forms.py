"""The forms of the work list and of every kind of case: filters, scans, answers, notes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import DateInput, Select, TextArea, TextInput

from returns_service.cases.read_model import CaseKind
from returns_service.cases.work_filter import WorkFilter
from returns_service.kept_values import KeptValues


class _GetForm(FlaskForm):
    """A form read from the query string: nothing changes, so no form token."""

    class Meta:
        csrf = False


#: How many renderings a field keeps before it starts again.
_REMEMBERED_RENDERINGS = 512


class Remembered:
    """A field's widget whose markup is kept per what the field shows (its value, choices and
    attributes): the work list's filters show the same few dozen choices (worded once per
    language) and every case page the same staff and empty note box, and WTForms writing
    them out cost as much as the rest of the page's top."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self._made: KeptValues[Markup] = KeptValues(_REMEMBERED_RENDERINGS)

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        """The field's markup, written by the widget the first time it is shown this way."""
        choices = getattr(field, "choices", None) or ()
        key = (
            field.id,
            field.name,
            field.data,
            tuple(field.raw_data or ()),
            tuple(sorted(kwargs.items())),
            tuple((c.value, str(c.label)) for c in choices),
        )
        return self._made.get(key, lambda: self.widget(field, **kwargs))


def _choice(label: LazyString) -> SelectField:
    """A filter's select: its choices are filled per request, none of them is refused."""
    return SelectField(label, validate_choice=False, default="", widget=Remembered(Select()))


class WorkListForm(_GetForm):
    """The work list's filters and search box; choices are filled per request."""

    # Not remembered: what is searched for is often a customer's e-mail or phone number.
    q = StringField(
        _l("Search (RMA, order, tracking number, name, e-mail or phone)"), [Length(max=200)]
    )
    kind = _choice(_l("Kind"))
    status = _choice(_l("Status"))
    reason = _choice(_l("Reason"))
    since = DateField(_l("Filed from"), [Optional()], widget=Remembered(DateInput()))
    until = DateField(_l("Filed until"), [Optional()], widget=Remembered(DateInput()))
    assignee = _choice(_l("Assigned to"))

    def work_filter(self, me: str, timezone: str) -> WorkFilter:
        """The filter the fields describe; an invalid date narrows nothing."""
        zone = ZoneInfo(timezone)
        kinds = {k for k in CaseKind if k.value == self.kind.data}
        assignee = me if self.assignee.data == "me" else (self.assignee.data or "")
        return WorkFilter(
            kinds=frozenset(kinds),
            status=self.status.data or "",
            reason=self.reason.data or "",
            since=_start_of(self.since.data, zone) if not self.since.errors else None,
            until=(
                _start_of(self.until.data, zone, next_day=True) if not self.until.errors else None
            ),
            assignee=assignee,
            query=(self.q.data or "").strip(),
        )


def _start_of(day: date | None, zone: ZoneInfo, *, next_day: bool = False) -> datetime | None:
    """Midnight of ``day`` (or of the day after) in the shop's time zone."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1) if next_day else day, time(), zone)


class ScanForm(_GetForm):
    """What a barcode scanner types: an RMA or a tracking number, then Enter."""

    code = StringField(
        _l("Scan an RMA or tracking number"),
        [DataRequired(), Length(max=200)],
        widget=Remembered(TextInput()),
    )


#: A form built only to be shown, with ``formdata=None``: no token of its own (each page's
#: form carries the session's in its hidden field, and a form sent is checked on arrival).
SHOWN_ONLY = {"csrf": False}


class NoteForm(FlaskForm):
    """An internal note; customers never see it."""

    body = TextAreaField(
        _l("Internal note"), [DataRequired(), Length(max=4000)], widget=Remembered(TextArea())
    )


class AssignForm(FlaskForm):
    """Give the case to a staff member."""

    assignee = SelectField(_l("Assign to"), validate_choice=False, widget=Remembered(Select()))


class WarehouseAnswerForm(FlaskForm):
    """What the warehouse said on the phone or by e-mail about stopping the order."""

    answer = SelectField(
        _l("The warehouse's answer"),
        choices=[
            SelectChoice("stopped", _l("Stopped in time")),
            SelectChoice("too_late", _l("Too late: it shipped")),
        ],
    )
    note = TextAreaField(_l("Note (optional)"), [Length(max=2000)])


class ShippedForm(FlaskForm):
    """The replacement of an exchange as the warehouse sent it."""

    carrier = StringField(_l("Carrier"), [DataRequired(), Length(max=64)])
    tracking_number = StringField(_l("Tracking number"), [Optional(), Length(max=128)])
