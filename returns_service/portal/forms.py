"""The customer pages' forms: opening an order and choosing what to send back."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from returns_service.orders.models import Order
from returns_service.pages import REASON_LABELS
from returns_service.portal.order_view import LineView
from returns_service.returns.presenter import slot_words

SLOTS = ("9-12", "14-16", "16-18", "18-20")
_IMAGES = ("jpg", "jpeg", "png", "gif", "webp", "heic")
#: The form field of each part of a request's line an operation may refuse (``lines.<i>.<part>``).
_LINE_PARTS = {
    "line_id": "quantity",
    "quantity": "quantity",
    "reason": "reason",
    "comment": "comment",
    "exchange_variant_id": "exchange_variant",
}


class OpenOrderForm(FlaskForm):
    """An order number and the e-mail address or phone number on the order."""

    order_number = StringField(_l("Order number"), [DataRequired(), Length(max=64)])
    contact = StringField(_l("E-mail address or phone number"), [DataRequired(), Length(max=320)])


class ReturnForm(FlaskForm):
    """How the customer wants to be made whole and how the parcel comes back.

    The fields of each order line (``quantity_<id>`` ...) are added by ``return_form``.
    """

    submission = HiddenField()
    resolution = RadioField(
        _l("You would like"),
        choices=[
            SelectChoice("refund", _l("A refund")),
            SelectChoice("store_credit", _l("Store credit")),
            SelectChoice("exchange", _l("An exchange")),
        ],
        default="refund",
    )
    method = RadioField(
        _l("Sending it back"),
        choices=[
            SelectChoice("dropoff", _l("I will drop it off")),
            SelectChoice("pickup", _l("Collect it from me")),
        ],
        default="dropoff",
    )
    pickup_date = DateField(_l("Pickup date"), [Optional()])
    #: The slots, in the page's words, are added by ``return_form``.
    pickup_slot: SelectField

    def line_fields(self, line_id: int) -> dict[str, Any]:
        """The fields of one order line, by short name."""
        names = ("quantity", "reason", "comment", "photo", "exchange_variant")
        return {name: self[f"{name}_{line_id}"] for name in names}

    def _chosen_line_ids(self, order: Order) -> list[int]:
        return [
            line.id
            for line in order.lines
            if f"quantity_{line.id}" in self and self[f"quantity_{line.id}"].data
        ]

    def body(self, order: Order) -> dict[str, Any]:
        """The request in the API's shape, for the schema the API checks it with."""
        lines = []
        exchange = self.resolution.data == "exchange"
        for line_id in self._chosen_line_ids(order):
            fields = self.line_fields(line_id)
            lines.append(
                {
                    "line_id": line_id,
                    "quantity": fields["quantity"].data,
                    "reason": fields["reason"].data,
                    "comment": fields["comment"].data or "",
                    "exchange_variant_id": fields["exchange_variant"].data if exchange else None,
                }
            )
        method: dict[str, Any] = {"type": self.method.data}
        if method["type"] == "pickup":
            date = self.pickup_date.data
            method |= {"date": date.isoformat() if date else None, "slot": self.pickup_slot.data}
        return {"lines": lines, "resolution": self.resolution.data, "method": method}

    def mark_refused(self, field: str | None, body: dict[str, Any], message: str) -> bool:
        """Put an operation's refusal beside the form field it concerns; False if none does.

        ``field`` is the operation's: ``lines.<index>.<part>`` of ``body``, or a form field.
        """
        name = field or ""
        if name.startswith("lines."):
            _, index, part = (name.split(".") + ["", ""])[:3]
            if not index.isdigit() or int(index) >= len(body["lines"]) or part not in _LINE_PARTS:
                return False
            name = f"{_LINE_PARTS[part]}_{body['lines'][int(index)]['line_id']}"
        else:  # a part of a form field's value (``method.type``) is marked on the field
            name = name.split(".", 1)[0]
        if name not in self:
            return False
        self[name].errors = [message]
        return True

    def uploads(self, order: Order) -> dict[int, list[Any]]:
        """The photos sent for each line."""
        found = {}
        for line in order.lines:
            field = self._fields.get(f"photo_{line.id}")
            photos = [f for f in (field.data or []) if getattr(f, "filename", "")] if field else []
            if photos:
                found[line.id] = photos
        return found


def return_form(order: Order, lines: list[LineView], locale: str) -> ReturnForm:
    """The return form of one order.

    Every line gets its fields, shown or not, so a form sent again after its return was
    filed still names what it chose and gets the first answer back.
    """

    class OrderReturnForm(ReturnForm):
        pass

    OrderReturnForm.pickup_slot = SelectField(
        _l("Time slot"),
        choices=[SelectChoice(s, slot_words(s, locale)) for s in SLOTS],
        default=SLOTS[0],
    )
    for view in lines:
        line_id, units = view.line.id, view.returnable
        offered = view.reasons or list(REASON_LABELS)
        reasons = [SelectChoice(code, REASON_LABELS[code]) for code in offered]
        quantities = [SelectChoice(n, str(n)) for n in range(units + 1)]
        setattr(
            OrderReturnForm,
            f"quantity_{line_id}",
            # The filing checks what is returnable under the order's lock, and a form sent
            # again must reach it to get the first answer back.
            SelectField(
                _l("Quantity to return"),
                choices=quantities,
                coerce=int,
                default=0,
                validate_choice=False,
            ),
        )
        # The API's schema checks the reason of each line that is sent back.
        setattr(
            OrderReturnForm,
            f"reason_{line_id}",
            SelectField(_l("Reason"), choices=reasons, validate_choice=False),
        )
        setattr(
            OrderReturnForm,
            f"comment_{line_id}",
            TextAreaField(_l("What happened (optional)"), [Length(max=2000)]),
        )
        setattr(
            OrderReturnForm,
            f"photo_{line_id}",
            MultipleFileField(
                _l("Photo (optional)"),
                [FileAllowed(_IMAGES, _l("Please choose a photo (JPEG, PNG, GIF or WebP)."))],
            ),
        )
        setattr(
            OrderReturnForm,
            f"exchange_variant_{line_id}",
            RadioField(
                _l("Replacement (for an exchange)"),
                [Optional()],
                choices=[SelectChoice(o.variant_id, o.title) for o in view.options],
                coerce=int,
                validate_choice=False,
            ),
        )
    return OrderReturnForm()
