"""LINE use cases: link codes, linking, following, the customer's choice, open cases."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations.models import OPEN_STATUSES, Cancellation
from returns_service.errors import Conflict
from returns_service.integrations.line.mapping import OpenCase
from returns_service.integrations.line.models import Channel, LineAccount
from returns_service.orders.models import Customer, Order
from returns_service.returns.models import ReturnRequest, ReturnStatus

CODE_LIFETIME = timedelta(minutes=30)
#: A return in these states is done: the status answer leaves it out.
_RETURN_DONE = (
    ReturnStatus.COMPLETED,
    ReturnStatus.REJECTED,
    ReturnStatus.CANCELLED,
    ReturnStatus.EXPIRED,
)


def account_of(session: Session, customer_id: int, *, lock: bool = False) -> LineAccount | None:
    """The customer's LINE account row, if any."""
    query = select(LineAccount).where(LineAccount.customer_id == customer_id)
    return session.scalar(query.with_for_update() if lock else query)


def issue_link_code(session: Session, now: datetime, customer_id: int) -> LineAccount:
    """A fresh six-digit code for the customer to send to the shop's LINE account."""
    account = account_of(session, customer_id, lock=True)
    if account is None:
        account = LineAccount(customer_id=customer_id, channel=Channel.BOTH, created_at=now)
        session.add(account)
    for _ in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        taken = session.scalar(
            select(LineAccount.id).where(
                LineAccount.link_code == code, LineAccount.customer_id != customer_id
            )
        )
        if taken is None:
            break
    else:  # a million codes nearly all in use: something is wrong, not bad luck
        raise Conflict("no free link code; try again later")
    account.link_code = code
    account.code_expires_at = now + CODE_LIFETIME
    session.flush()
    return account


def link(session: Session, now: datetime, code: str, line_user_id: str) -> LineAccount | None:
    """Link the LINE user who sent a valid code; None for an unknown or expired code."""
    account = session.scalar(
        select(LineAccount).where(LineAccount.link_code == code).with_for_update()
    )
    if account is None or account.code_expires_at is None or account.code_expires_at < now:
        return None
    return _linked(account, now, line_user_id, following=True)  # they wrote to the account


def link_by_login(
    session: Session, now: datetime, customer_id: int, line_user_id: str, *, friend: bool
) -> LineAccount:
    """Link the LINE user a LINE Login named to the customer; pushes reach friends only."""
    account = account_of(session, customer_id, lock=True)
    if account is None:
        account = LineAccount(customer_id=customer_id, channel=Channel.BOTH, created_at=now)
        session.add(account)
    return _linked(account, now, line_user_id, following=friend)


def _linked(
    account: LineAccount, now: datetime, line_user_id: str, *, following: bool
) -> LineAccount:
    account.line_user_id = line_user_id
    account.link_code = None
    account.code_expires_at = None
    account.following = following
    account.linked_at = now
    return account


def accounts_of_user(session: Session, line_user_id: str) -> list[LineAccount]:
    """Every customer record linked to a LINE user (one person, several e-mail addresses)."""
    return list(
        session.scalars(select(LineAccount).where(LineAccount.line_user_id == line_user_id))
    )


def set_following(session: Session, line_user_id: str, following: bool) -> int:
    """Follow or block: a blocked account gets e-mail only until it follows again."""
    accounts = accounts_of_user(session, line_user_id)
    for account in accounts:
        account.following = following
    return len(accounts)


def choose_channel(session: Session, customer_id: int, channel: Channel) -> LineAccount:
    """Where the customer wants their messages; LINE needs a linked account."""
    account = account_of(session, customer_id, lock=True)
    if channel is not Channel.EMAIL and (account is None or account.line_user_id is None):
        raise Conflict("link a LINE account first, with the code shown", field="channel")
    if account is None:
        raise Conflict("nothing to change: no LINE account is linked", field="channel")
    account.channel = channel
    return account


def open_cases(session: Session, customer_ids: list[int]) -> list[OpenCase]:
    """The customers' returns and cancellations still in progress, oldest first."""
    returns = session.execute(
        select(ReturnRequest.rma, Order.number, ReturnRequest.status)
        .join(Order, ReturnRequest.order_id == Order.id)
        .where(Order.customer_id.in_(customer_ids), ReturnRequest.status.not_in(_RETURN_DONE))
        .order_by(ReturnRequest.created_at)
    )
    cancellations = session.execute(
        select(Cancellation.id, Order.number, Cancellation.status)
        .join(Order, Cancellation.order_id == Order.id)
        .where(Order.customer_id.in_(customer_ids), Cancellation.status.in_(OPEN_STATUSES))
        .order_by(Cancellation.created_at)
    )
    return [OpenCase("return", rma, number, status.value) for rma, number, status in returns] + [
        OpenCase("cancellation", str(i), number, status.value)
        for i, number, status in cancellations
    ]


def locale_of(session: Session, accounts: list[LineAccount]) -> str | None:
    """The language of the first linked customer."""
    if not accounts:
        return None
    customer = session.get(Customer, accounts[0].customer_id)
    return customer.locale if customer else None


def recipient(session: Session, email: str) -> LineAccount | None:
    """The LINE account an e-mail to this address may go to instead or beside, if any."""
    return session.scalar(
        select(LineAccount)
        .join(Customer, Customer.id == LineAccount.customer_id)
        .where(
            Customer.email == email,
            LineAccount.line_user_id.is_not(None),
            LineAccount.following.is_(True),
            LineAccount.channel != Channel.EMAIL,
        )
        .order_by(LineAccount.id)
        .limit(1)
    )
