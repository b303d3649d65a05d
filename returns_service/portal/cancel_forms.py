"""The cancellation form: the whole order or some lines, a reason and a comment."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from returns_service.cancellations.schemas import REASONS
from returns_service.orders.models import Order

#: Why a customer cancels, in their words (the codes are the API's).
CANCEL_REASON_LABELS = {
    "CHANGED_MIND": _l("I changed my mind"),
    "ORDERED_BY_MISTAKE": _l("I ordered it by mistake"),
    "FOUND_CHEAPER": _l("I found it cheaper elsewhere"),
    "DELIVERY_TOO_SLOW": _l("The delivery takes too long"),
    "OTHER": _l("Another reason"),
}

WHOLE, SOME = "whole", "lines"


class CancelForm(FlaskForm):
    """What to cancel and why; ``cancel_form`` adds a quantity per order line."""

    submission = HiddenField()
    scope = RadioField(
        _l("What would you like to cancel?"),
        choices=[
            SelectChoice(WHOLE, _l("The whole order")),
            SelectChoice(SOME, _l("Only some items")),
        ],
        default=WHOLE,
    )
    reason = SelectField(
        _l("Reason"),
        [DataRequired(message=_l("Please choose a reason."))],
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(code, CANCEL_REASON_LABELS[code]) for code in REASONS],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell us (optional)"),
        [Length(max=2000, message=_l("Please keep this under 2,000 characters."))],
    )

    def quantity(self, line_id: int) -> Any:
        """The quantity field of one order line."""
        return self[f"quantity_{line_id}"]

    def lines(self, order: Order) -> list[dict[str, Any]] | None:
        """The lines in the API's shape, in order line order; None for the whole order."""
        if self.scope.data == WHOLE:
            return None
        return [
            {"line_id": line.id, "quantity": self.quantity(line.id).data}
            for line in order.lines
            if f"quantity_{line.id}" in self and self.quantity(line.id).data
        ]

    def check_some_chosen(self, order: Order) -> bool:
        """A cancellation of some items names at least one; else say so beside them."""
        if self.lines(order) != []:
            return True
        for line in order.lines:
            if f"quantity_{line.id}" in self:
                self.quantity(line.id).errors = [_l("Choose how many of an item to cancel.")]
                break
        return False

    def refused_line(self, order: Order, field: str | None, message: str) -> bool:
        """Put an operation's refusal of ``lines.<index>.<name>`` beside that line's quantity."""
        parts = (field or "").split(".")
        chosen = self.lines(order) or []
        if len(parts) < 2 or parts[0] != "lines" or not parts[1].isdigit():
            return False
        index = int(parts[1])
        if index >= len(chosen):
            return False
        self.quantity(chosen[index]["line_id"]).errors = [message]
        return True


def cancel_form(order: Order, left: dict[int, int]) -> CancelForm:
    """The cancellation form of one order; ``left`` maps each line to its cancellable units."""

    class OrderCancelForm(CancelForm):
        pass

    for line_id, units in left.items():
        setattr(
            OrderCancelForm,
            f"quantity_{line_id}",
            # The operation checks the units still left under the order's lock.
            SelectField(
                _l("Quantity to cancel"),
                choices=[SelectChoice(n, str(n)) for n in range(max(units, 0) + 1)],
                coerce=int,
                default=0,
                validate_choice=False,
            ),
        )
    return OrderCancelForm()
