"""The admin pages' forms: staff logins, API tokens, webhook endpoints, the mailbox's filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from returns_service.auth.models import Role
from returns_service.auth.operations import STAFF_ROLES
from returns_service.notifications.webhooks import EVENTS

#: What admins read for each role.
ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.AGENT.value: _l("Customer service"),
    Role.WAREHOUSE.value: _l("Warehouse"),
    Role.INTEGRATION.value: _l("Connected system"),
}
#: What admins read for each event the service sends (every one of ``EVENTS`` has one).
EVENT_LABELS = {
    "return.created": _l("A return is requested"),
    "return.approved": _l("A return is approved"),
    "return.rejected": _l("A return is turned down"),
    "return.received": _l("A return arrives at the warehouse"),
    "refund.issued": _l("A refund is issued"),
    "exchange.shipment_requested": _l("A replacement is to be shipped"),
}
LANGUAGES = [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


def _roles(roles: tuple[Role, ...] | list[Role]) -> list[SelectChoice]:
    return [SelectChoice(role.value, ROLE_LABELS[role.value]) for role in roles]


class NewStaffForm(FlaskForm):
    """A new staff login; the first password is made for it and shown once."""

    email = EmailField(_l("E-mail address"), [DataRequired(), Length(max=320)])
    name = StringField(_l("Name"), [Length(max=200)])
    role = SelectField(_l("Role"), choices=_roles(STAFF_ROLES), default=Role.AGENT.value)
    locale = SelectField(_l("Language"), choices=LANGUAGES, default="ja")


class RoleForm(FlaskForm):
    """Another role for a staff member."""

    role = SelectField(_l("Role"), choices=_roles(STAFF_ROLES))


class NewTokenForm(FlaskForm):
    """A new API token: who uses it and what it may do."""

    name = StringField(_l("Name"), [DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=_roles(list(Role)), default=Role.INTEGRATION.value)


class NewEndpointForm(FlaskForm):
    """A new webhook endpoint; its signing secret is made for it and shown once."""

    url = URLField(_l("Address (https URL)"), [DataRequired(), Length(max=2000)])
    description = StringField(_l("Description"), [Length(max=200)])
    events = SelectMultipleField(
        _l("Events (none ticked: every event)"),
        choices=[SelectChoice(event, EVENT_LABELS[event]) for event in EVENTS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def endpoint_data(self) -> dict[str, Any]:
        """The fields as the endpoints' use case takes them: switched on, secret made."""
        return {
            "url": (self.url.data or "").strip(),
            "events": sorted(set(self.events.data or [])),
            "description": (self.description.data or "").strip(),
            "active": True,
            "secret": None,
        }


class MailFilterForm(FlaskForm):
    """Which kept e-mails to show (a GET form, no token)."""

    class Meta:
        csrf = False

    recipient = StringField(_l("Recipient"), [Length(max=320)])
    subject = StringField(_l("Subject"), [Length(max=200)])
    kind = SelectField(_l("Kind"), validate_choice=False)
