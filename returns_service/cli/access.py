"""Commands that manage access: staff logins and API tokens."""

from __future__ import annotations

import getpass
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from returns_service.auth import operations as access
from returns_service.auth.models import ApiToken, Role, StaffUser
from returns_service.errors import Conflict, InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow

_STAFF_ROLES = [role.value for role in access.STAFF_ROLES]


def _read_password() -> str:
    """A new password from the terminal, or the first line of standard input."""
    password = (
        getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    )
    if len(password) < access.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"the password must have at least {access.MIN_PASSWORD_LENGTH} characters",
            param_hint="stdin",
        )
    return password


def _staff(email: str) -> StaffUser:
    user = access.staff_by_email(db.session, email)
    if user is None:
        raise click.BadParameter(f"no staff member {email}", param_hint="EMAIL")
    return user


@click.group()
def users() -> None:
    """Staff logins."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(_STAFF_ROLES))
@click.option("--name", default="")
@with_appcontext
def users_create(email: str, role: str, name: str) -> None:
    """Create a staff login; the password is read from standard input."""
    password = _read_password()
    try:
        access.create_staff(
            db.session, utcnow(), email=email, role=Role(role), password=password, name=name
        )
    except Conflict:
        raise click.BadParameter(f"a user {email} exists already", param_hint="--email") from None
    except InvalidInput as error:
        raise click.BadParameter(error.message, param_hint="--email") from None
    db.session.commit()
    click.echo(f"created {role} {email.lower()}")


@users.command("list")
@with_appcontext
def users_list() -> None:
    """List staff logins: e-mail, role, whether active, language, name."""
    for user in db.session.scalars(select(StaffUser).order_by(StaffUser.email)):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role.value}\t{state}\t{user.locale}\t{user.name}")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str) -> None:
    """Refuse a staff member from now on; their open sessions end in every web process
    within RETURNS_ACCESS_CHECK_SECONDS."""
    user = _staff(email)
    try:
        access.deactivate_staff(user)
    except Conflict as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"deactivated {user.email}")


@users.command("set-password")
@click.argument("email")
@with_appcontext
def users_set_password(email: str) -> None:
    """Set a new password (read from standard input); open sessions end in every web
    process within RETURNS_ACCESS_CHECK_SECONDS."""
    user = _staff(email)
    access.set_password(user, _read_password())
    db.session.commit()
    click.echo(f"new password set for {user.email}; their sessions have ended")


@click.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@with_appcontext
def tokens_create(name: str, role: str) -> None:
    """Create an API token; it is printed alone on the last line, and never shown again."""
    _, plain = access.issue_token(db.session, utcnow(), name, Role(role))
    db.session.commit()
    click.echo(f"token {name!r} with role {role}; keep it now, it is not shown again:")
    click.echo(plain)


def _when(moment: object) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"  # type: ignore[attr-defined]


@tokens.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
@with_appcontext
def tokens_list(show_all: bool) -> None:
    """List tokens: id, name, role, created, last used, revoked (never the token itself)."""
    query = select(ApiToken).order_by(ApiToken.id)
    if not show_all:
        query = query.where(ApiToken.revoked_at.is_(None))
    for token in db.session.scalars(query):
        click.echo(
            f"{token.id}\t{token.name}\t{token.role.value}\t{_when(token.created_at)}"
            f"\t{_when(token.last_used_at)}\t{_when(token.revoked_at)}"
        )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id (see ``tokens list``); every web process refuses it within
    RETURNS_ACCESS_CHECK_SECONDS."""
    try:
        token = access.revoke_token(db.session, utcnow(), token_id)
    except NotFound:
        raise click.BadParameter(f"no token {token_id}", param_hint="TOKEN_ID") from None
    except Conflict as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"revoked token {token_id} ({token.name})")
