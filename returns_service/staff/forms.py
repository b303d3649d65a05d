"""The staff pages' forms; receiving and inspecting map onto the API's schemas."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import NumberInput

from returns_service.errors import InvalidInput
from returns_service.labels import code_label
from returns_service.returns.models import Disposition, ItemCondition, ReturnLine
from returns_service.returns.schemas import InspectSchema, ReceiveSchema
from returns_service.staff.case_forms import Remembered


class SignInForm(FlaskForm):
    """A staff member's e-mail address and password."""

    email = EmailField(_l("E-mail address"), [DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=1024)])


class ApproveForm(FlaskForm):
    """An optional note on the approval."""

    message = TextAreaField(_l("Note (optional)"), [Length(max=2000)])


class RejectForm(FlaskForm):
    """The message the customer reads; the operation refuses an empty one."""

    message = TextAreaField(_l("Message for the customer"), [Length(max=2000)])


def _loaded(schema: Any, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise InvalidInput("the form is not valid", errors={"form": exc.messages}) from None


class ReceiveForm(FlaskForm):
    """The units found in the parcel, a field ``received_<line id>`` per line."""

    line_ids: tuple[int, ...] = ()

    def received(self) -> dict[int, int]:
        """Units per line, checked by the API's ``ReceiveSchema``; InvalidInput otherwise."""
        sent = [i for i in self.line_ids if self[f"received_{i}"].raw_data]
        if not sent:
            raise InvalidInput("give the quantity received of at least one line", field="lines")
        self._refuse_invalid()
        body = {"lines": [{"line_id": i, "quantity": self[f"received_{i}"].data} for i in sent]}
        return {
            line["line_id"]: line["quantity"] for line in _loaded(ReceiveSchema(), body)["lines"]
        }

    def _refuse_invalid(self) -> None:
        if not self.validate():
            field, errors = next(iter(self.errors.items()))
            raise InvalidInput(f"{field}: {' '.join(map(str, errors))}", field=field)


class InspectForm(ReceiveForm):
    """The grade, disposition and notes of each received line."""

    def grades(self) -> dict[int, dict[str, Any]]:
        """Grades per line, checked by the API's ``InspectSchema``; InvalidInput otherwise."""
        self._refuse_invalid()
        sent = [i for i in self.line_ids if self[f"condition_{i}"].raw_data]
        body = {
            "lines": [
                {
                    "line_id": i,
                    "condition": self[f"condition_{i}"].data,
                    "disposition": self[f"disposition_{i}"].data,
                    "notes": self[f"notes_{i}"].data or "",
                }
                for i in sent
            ]
        }
        return {
            line["line_id"]: {
                "condition": line["condition"].value,
                "disposition": line["disposition"].value,
                "notes": line["notes"],
            }
            for line in _loaded(InspectSchema(), body)["lines"]
        }


def receive_form(lines: Sequence[ReturnLine], meta: dict[str, Any] | None = None) -> ReceiveForm:
    """The receiving form of a return's approved lines (``meta``: WTForms' options)."""
    return _receiving(tuple((line.id, line.quantity) for line in lines))(meta=meta or {})


@lru_cache(maxsize=1024)
def _receiving(lines: tuple[tuple[int, int], ...]) -> type[ReceiveForm]:
    """The form's class for lines of these ids and quantities, made once: WTForms making a
    class cost as much as the rest of the return page's forms (its labels are worded when
    shown, so one class serves every language)."""

    class Form(ReceiveForm):
        line_ids = tuple(line_id for line_id, _ in lines)

    for line_id, quantity in lines:
        field = IntegerField(
            _l("Units received"),
            [Optional(), NumberRange(min=0)],
            default=quantity,
            widget=Remembered(NumberInput()),
        )
        setattr(Form, f"received_{line_id}", field)
    return Form


def inspect_form(lines: Sequence[ReturnLine], meta: dict[str, Any] | None = None) -> InspectForm:
    """The inspection form of a return's received lines (``meta``: WTForms' options)."""

    class Form(InspectForm):
        line_ids = tuple(line.id for line in lines)

    conditions = [SelectChoice(c.value, code_label(c.value)) for c in ItemCondition]
    dispositions = [SelectChoice(d.value, code_label(d.value)) for d in Disposition]
    for line in lines:
        setattr(
            Form,
            f"condition_{line.id}",
            SelectField(_l("Condition"), choices=conditions, validate_choice=False),
        )
        setattr(
            Form,
            f"disposition_{line.id}",
            SelectField(_l("Disposition"), choices=dispositions, validate_choice=False),
        )
        setattr(Form, f"notes_{line.id}", StringField(_l("Notes"), [Length(max=2000)]))
    return Form(meta=meta or {})
