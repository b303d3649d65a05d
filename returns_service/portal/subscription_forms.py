"""The subscription cancellation forms: why, then an offer taken or the cancellation confirmed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from returns_service.subscriptions.models import CancelReason

#: Why a customer stops, in their words; the reason decides the offers they see.
SUBSCRIPTION_REASON_LABELS = {
    CancelReason.TOO_MUCH_PRODUCT: _l("I have too much of it left"),
    CancelReason.DOES_NOT_SUIT: _l("It does not suit me"),
    CancelReason.TOO_EXPENSIVE: _l("It is too expensive"),
    CancelReason.MOVING: _l("I am moving"),
    CancelReason.OTHER: _l("Another reason"),
}


class StartForm(FlaskForm):
    """Why the customer wants to stop."""

    reason = RadioField(
        _l("Why would you like to cancel?"),
        [DataRequired(message=_l("Please choose a reason."))],
        choices=[SelectChoice(r.value, label) for r, label in SUBSCRIPTION_REASON_LABELS.items()],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell us (optional)"),
        [Length(max=2000, message=_l("Please keep this under 2,000 characters."))],
    )


class AcceptForm(FlaskForm):
    """One offer taken, with the customer's choice within it (a pause's length, a product)."""

    offer_id = HiddenField(validators=[DataRequired()])
    months = SelectField(
        _l("How long?"), [Optional()], coerce=int, validate_choice=False, choices=[]
    )
    product = StringField(_l("Product to switch to"), [Length(max=64)])
