"""The admin pages' forms: staff logins, API tokens, and the mailbox's filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from returns_service.auth.models import Role
from returns_service.auth.operations import STAFF_ROLES

#: What admins read for each role.
ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.AGENT.value: _l("Customer service"),
    Role.WAREHOUSE.value: _l("Warehouse"),
    Role.INTEGRATION.value: _l("Connected system"),
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


class MailFilterForm(FlaskForm):
    """Which kept e-mails to show (a GET form, no token)."""

    class Meta:
        csrf = False

    recipient = StringField(_l("Recipient"), [Length(max=320)])
    subject = StringField(_l("Subject"), [Length(max=200)])
    kind = SelectField(_l("Kind"), validate_choice=False)
