"""Every staff route, walked with each role and with no session: who may open what.

The routes come from the app's URL map, so a page added anywhere under ``/staff`` is walked
too; what each may be opened by is the small table below, by route prefix. A route the
table does not know, or whose address needs a value the seeded data does not give, fails
the test with a message saying what to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

import rules
from returns_service.auth.models import Role, StaffUser
from returns_service.auth.tokens import create_token
from returns_service.models import utcnow
from returns_service.notifications.models import SentEmail, Transport
from returns_service.returns.models import Exchange, ExchangeStatus, ReturnLine, ReturnRequest
from returns_service.rulesets.operations import (
    active_version,
    create_draft,
    default_cancellation_rule_set,
)
from returns_service.subscriptions.models import CancelReason
from rules.facts import Scope
from tests.shop import Shop, add_staff, csrf
from tests.staff.admin_seed import endpoint_with_failure, failed_job
from tests.staff.case_helpers import pending_stop, return_with_photo, subscription_flow

ADMIN, AGENT, WAREHOUSE = Role.ADMIN, Role.AGENT, Role.WAREHOUSE
ROLES = (ADMIN, AGENT, WAREHOUSE)
PUBLIC = "public"
#: A GET page answers 200; a POST action reached (done, or refused for its data) answers
#: one of these: never 403, never the sign-in page, never 400 (the form token is sent).
PAGE = frozenset({200})
ACTION = frozenset({200, 201, 302, 409, 422})


@dataclass(frozen=True)
class Expected:
    """Who may use a route (``PUBLIC``: anyone, signed in or not) and what they get."""

    allowed: str | frozenset[Role]
    answers: frozenset[int]


def _staff(*roles: Role) -> frozenset[Role]:
    return frozenset({ADMIN, *roles})


#: By method and route prefix; the longest prefix wins, and one ending in ``$`` is exact.
EXPECTATIONS: dict[tuple[str, str], Expected] = {
    ("GET", "/staff/login$"): Expected(PUBLIC, PAGE),
    ("POST", "/staff/login$"): Expected(PUBLIC, frozenset({401})),  # no e-mail nor password
    ("POST", "/staff/logout$"): Expected(PUBLIC, frozenset({302})),
    ("GET", "/staff/$"): Expected(_staff(AGENT, WAREHOUSE), PAGE),
    ("GET", "/staff/numbers"): Expected(_staff(AGENT, WAREHOUSE), PAGE),
    ("GET", "/staff/scan$"): Expected(_staff(AGENT, WAREHOUSE), frozenset({302})),
    ("GET", "/staff/returns/"): Expected(_staff(AGENT, WAREHOUSE), PAGE),
    ("GET", "/staff/cancellations/"): Expected(_staff(AGENT, WAREHOUSE), PAGE),
    ("GET", "/staff/subscriptions/"): Expected(_staff(AGENT, WAREHOUSE), PAGE),
    ("POST", "/staff/cases/"): Expected(_staff(AGENT, WAREHOUSE), ACTION),
    ("POST", "/staff/returns/<rma>/approve"): Expected(_staff(AGENT), ACTION),
    ("POST", "/staff/returns/<rma>/reject"): Expected(_staff(AGENT), ACTION),
    ("POST", "/staff/returns/<rma>/receive"): Expected(_staff(WAREHOUSE), ACTION),
    ("POST", "/staff/returns/<rma>/inspect"): Expected(_staff(WAREHOUSE), ACTION),
    ("POST", "/staff/returns/<rma>/exchanges/"): Expected(_staff(WAREHOUSE), ACTION),
    ("POST", "/staff/cancellations/<int:cancellation_id>/warehouse-answer"): Expected(
        _staff(AGENT, WAREHOUSE), ACTION
    ),
    ("POST", "/staff/cancellations/<int:cancellation_id>/approve"): Expected(_staff(AGENT), ACTION),
    ("POST", "/staff/cancellations/<int:cancellation_id>/reject"): Expected(_staff(AGENT), ACTION),
    ("GET", "/staff/rules"): Expected(_staff(), PAGE),
    ("POST", "/staff/rules"): Expected(_staff(), ACTION),
    ("GET", "/staff/cancellation-rules"): Expected(_staff(), PAGE),
    ("POST", "/staff/cancellation-rules"): Expected(_staff(), ACTION),
    ("GET", "/staff/offers"): Expected(_staff(), PAGE),
    ("POST", "/staff/offers/"): Expected(_staff(), ACTION),
    ("GET", "/staff/admin/"): Expected(_staff(), PAGE),
    ("POST", "/staff/admin/"): Expected(_staff(), ACTION),
    ("GET", "/staff/mail$"): Expected(_staff(), PAGE),
}


def expectation(method: str, rule: str) -> Expected | None:
    """The table's entry for a route: exact ones first, then the longest prefix."""
    exact = EXPECTATIONS.get((method, rule + "$"))
    if exact is not None:
        return exact
    prefixes = [
        (len(prefix), expected)
        for (m, prefix), expected in EXPECTATIONS.items()
        if m == method and not prefix.endswith("$") and rule.startswith(prefix)
    ]
    return max(prefixes, key=lambda found: found[0])[1] if prefixes else None


_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def staff_routes(app: Flask) -> list[tuple[str, Rule]]:
    """Every (method, rule) under ``/staff``, in a stable order; POSTs after GETs."""
    found = [
        (method, rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda pair: (pair[0] != "GET", pair[1].rule, pair[0]))


@dataclass
class Seeded:
    """The walkers, and a value for each variable of the routes' addresses; under a route
    prefix of ``by_prefix``, its values take the place of the common ones."""

    users: dict[Role, StaffUser]
    values: dict[str, str]
    by_prefix: dict[str, dict[str, str]]
    #: Fields an action needs besides the form token, by route.
    forms: dict[str, dict[str, str]]

    def values_for(self, rule: str) -> dict[str, str]:
        """The values for the variables of ``rule``."""
        found = dict(self.values)
        for prefix, values in self.by_prefix.items():
            if rule.startswith(prefix):
                found.update(values)
        return found


def _exchange_to_ship(session: Session, rma: str) -> Exchange:
    """A replacement of the return's first line, waiting for the warehouse to ship it."""
    request = session.scalars(select(ReturnRequest).where(ReturnRequest.rma == rma)).one()
    exchange = Exchange(
        return_id=request.id,
        return_line_id=request.lines[0].id,
        sku="DNM-32",
        quantity=1,
        status=ExchangeStatus.SHIPMENT_REQUESTED,
    )
    session.add(exchange)
    session.commit()
    return exchange


def _seed(app: Flask, session: Session, shop: Shop) -> Seeded:
    rma = return_with_photo(shop)
    exchange = _exchange_to_ship(session, rma)
    line = session.get(ReturnLine, exchange.return_line_id)
    assert line is not None
    stop = pending_stop(shop)
    flow = subscription_flow(shop)
    now = utcnow()
    version = active_version(session, now)
    draft = create_draft(session, rules.default_rule_set(), based_on_id=None, actor="t", now=now)
    cancellation_version = active_version(session, now, Scope.CANCELLATION)
    cancellation_draft = create_draft(
        session, default_cancellation_rule_set(), based_on_id=None, actor="t", now=now
    )
    token, _ = create_token(session, "walked", Role.INTEGRATION, now)
    session.add(
        SentEmail(
            outbox_message_id="m1",
            kind="return_received",
            to_address="hanako@example.jp",
            locale="ja",
            subject="返品のお申し込みを受け付けました",
            body="佐藤 花子 様",
            subject_type="return",
            subject_id=1,
            sent_at=datetime(2026, 12, 1, tzinfo=UTC),
            transport=Transport.MAILBOX,
        )
    )
    session.commit()
    users = {role: add_staff(session, f"{role.value}@shop.example", role) for role in ROLES}
    target = add_staff(session, "target@shop.example", Role.AGENT)
    endpoint = endpoint_with_failure(session, "https://hooks.example.jp/returns")
    job = failed_job(session, "warehouse_sync_stock", "timed out")
    return Seeded(
        users=users,
        values={
            "rma": rma,
            "line_id": str(line.id),
            "name": line.photos[0],
            "exchange_id": str(exchange.id),
            "ref": f"return-{exchange.return_id}",
            "cancellation_id": str(stop["id"]),
            "flow_id": str(flow["id"]),
            "reason": CancelReason.TOO_MUCH_PRODUCT.value,
            "draft_id": str(draft.id),
            "version_id": str(version.id),
            "table_id": "reasons",
            "user_id": str(target.id),
            "token_id": str(token.id),
            "endpoint_id": str(endpoint.id),
            "job_id": job.id,
        },
        by_prefix={
            "/staff/cancellation-rules/": {
                "draft_id": str(cancellation_draft.id),
                "version_id": str(cancellation_version.id),
            }
        },
        # Not the target: the admin pages deactivate it before the cases are walked.
        forms={"/staff/cases/<ref>/assign": {"assignee": users[AGENT].email}},
    )


def _client(app: Flask, session: Session, user: StaffUser | None) -> FlaskClient:
    """A client signed in as ``user`` as the sign-in page would (its current session
    version), without the page: many clients, and the sign-in's rate limit stays out."""
    client = app.test_client()
    if user is not None:
        session.refresh(user)
        with client.session_transaction() as cookie:
            cookie["_user_id"] = user.get_id()
            cookie["_fresh"] = True
    return client


def _ask(client: FlaskClient, method: str, url: str, form: dict[str, str]) -> tuple[int, str]:
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf(client.get("/staff/login").get_data(as_text=True))
        response = client.open(url, method=method, data={"csrf": token, **form})
    response.close()  # a photo is sent from its file
    return response.status_code, response.headers.get("Location", "")


def _to_sign_in(status: int, location: str) -> bool:
    return status == 302 and location.endswith("/staff/login")


def _judge(expected: Expected, role: Role | None, status: int, location: str) -> str | None:
    """What is wrong with the answer, or None."""
    if expected.allowed == PUBLIC or (role is not None and role in expected.allowed):
        if status in expected.answers and not (
            expected.allowed != PUBLIC and _to_sign_in(status, location)
        ):
            return None
        return f"expected one of {sorted(expected.answers)}, got {status} {location}".strip()
    if role is None:
        return None if _to_sign_in(status, location) else f"expected the sign-in page, got {status}"
    return None if status == 403 else f"expected 403, got {status} {location}".strip()


def test_every_staff_route_answers_each_role_as_the_table_says(
    app: Flask, session: Session, shop: Shop, configure
) -> None:
    configure(MAIL_ON_DISK=True)
    seeded = _seed(app, session, shop)
    routes = staff_routes(app)
    assert len(routes) > 10, "the staff pages are not registered"
    unknown, problems = [], []
    for method, rule in routes:
        expected = expectation(method, rule.rule)
        values = seeded.values_for(rule.rule)
        # A variable the route itself gives (the rules pages' scope) is not in the address.
        given = rule.defaults or {}
        missing = [name for name in rule.arguments if name not in values and name not in given]
        if expected is None or missing:
            unknown.append(
                f"{method} {rule.rule}: "
                + (
                    f"no seeded value for {missing}: add one to the values of _seed()"
                    if missing
                    else "not in EXPECTATIONS: say which roles may use it"
                )
            )
            continue
        url = _VARIABLE.sub(lambda m, found=values: found[m.group(1)], rule.rule)
        # The refused first, so that an allowed action cannot change what they would see.
        allowed = ROLES if expected.allowed == PUBLIC else expected.allowed
        walkers = [
            None,
            *(r for r in ROLES if r not in allowed),
            *(r for r in ROLES if r in allowed),
        ]
        for role in walkers:
            user = seeded.users[role] if role is not None else None
            form = seeded.forms.get(rule.rule, {})
            status, location = _ask(_client(app, session, user), method, url, form)
            wrong = _judge(expected, role, status, location)
            if wrong:
                problems.append(f"{method} {url} as {role.value if role else 'nobody'}: {wrong}")
    assert not unknown, "staff routes the roles test does not know:\n" + "\n".join(unknown)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("method", "rule", "allowed"),
    [
        ("GET", "/staff/", {ADMIN, AGENT, WAREHOUSE}),
        ("GET", "/staff/admin/jobs", {ADMIN}),
        ("POST", "/staff/returns/<rma>/receive", {ADMIN, WAREHOUSE}),
        ("GET", "/staff/login", PUBLIC),
    ],
)
def test_the_table_reads_as_intended(method: str, rule: str, allowed: object) -> None:
    found = expectation(method, rule)
    assert found is not None and found.allowed == allowed
    assert expectation("GET", "/staff/something-new") is None
