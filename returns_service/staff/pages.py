"""The staff pages: sign in, work the review queue, receive and inspect, change the rules.

The pages call the same operations as the API and write ``staff:<email>`` on timelines;
every form carries the per-session token of the customer pages.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml
from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.exceptions import Forbidden as ForbiddenPage

import rules
from returns_service.auth.models import Role
from returns_service.cases.policy import CasePolicy
from returns_service.cases.tags import return_tags
from returns_service.errors import Conflict, DomainError, InvalidInput, NotFound
from returns_service.events import Event
from returns_service.extensions import db, limiter
from returns_service.forms import check_csrf, csrf_token
from returns_service.metrics.queries import return_metrics
from returns_service.models import utcnow
from returns_service.portal.texts import REASONS, STATUSES
from returns_service.returns import operations
from returns_service.returns.models import (
    Disposition,
    ItemCondition,
    LineOutcome,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.returns.submission import present_return
from returns_service.rulesets import service
from returns_service.rulesets.api import run_simulation
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion
from returns_service.rulesets.service import validated_document
from returns_service.staff.auth import (
    authenticate,
    current_staff,
    may,
    sign_in,
    sign_out,
    staff_principal,
    staff_required,
)
from returns_service.staff.texts import LANGUAGES, TEXTS
from rules.facts import Scope

bp = Blueprint("staff_pages", __name__, url_prefix="/staff")

#: Returns the warehouse works on, in the order they reach it.
WAREHOUSE_STATUSES = (ReturnStatus.AWAITING_PARCEL, ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED)

_CONDITIONS = tuple(c.value for c in ItemCondition)
_DISPOSITIONS = tuple(d.value for d in Disposition)


def _language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["staff_lang"] = chosen
    if session.get("staff_lang") in LANGUAGES:
        return session["staff_lang"]
    user = current_staff()
    if user is not None and user.locale in LANGUAGES:
        return user.locale
    return request.accept_languages.best_match(
        LANGUAGES, default=current_app.config["DEFAULT_LOCALE"]
    )


def _text(key: str, **values: Any) -> str:
    return TEXTS[_language()][key].format(**values)


def _render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    lang = _language()
    user = current_staff()
    return (
        render_template(
            template,
            lang=lang,
            t=TEXTS[lang],
            reasons=REASONS[lang],
            statuses=STATUSES[lang],
            csrf=csrf_token(),
            shop_name=current_app.config["SHOP_NAME"],
            user=user,
            may=lambda *roles: user is not None and may(user, *roles),
            Role=Role,
            **context,
        ),
        status,
    )


@bp.errorhandler(403)
def forbidden(error: ForbiddenPage) -> ResponseReturnValue:
    """A signed-in staff member without the role the page needs."""
    return _render("staff/refused.html", 403, error=_text("forbidden"))


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> ResponseReturnValue:
    """An unknown RMA or rule set version, as a page rather than the API's JSON."""
    return _render("staff/refused.html", 404, error=error.message)


def _rate() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


def _email_key() -> str:
    return "staff-login:" + request.form.get("email", "").strip().lower()


@bp.get("/login")
def login() -> ResponseReturnValue:
    """The sign-in form."""
    return _render("staff/login.html")


@bp.post("/login")
@limiter.limit(_rate, methods=["POST"])
@limiter.limit(_rate, key_func=_email_key, methods=["POST"])
def sign_in_form() -> ResponseReturnValue:
    """Check the e-mail and password; the same answer for an unknown e-mail or a wrong one."""
    check_csrf()
    user = authenticate(request.form.get("email", ""), request.form.get("password", ""))
    if user is None:
        return _render("staff/login.html", 401, error=_text("bad_login"))
    session.clear()  # a new session on sign-in: nothing carried over from before
    sign_in(user)
    return redirect(url_for("staff_pages.queue"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out."""
    check_csrf()
    sign_out()
    return redirect(url_for("staff_pages.login"))


def _review_reasons(returns: list[ReturnRequest]) -> dict[int, str]:
    """Why the rules left each return to a person, from its ``return.review`` event."""
    if not returns:
        return {}
    events = db.session.scalars(
        select(Event)
        .where(
            Event.subject_type == "return",
            Event.kind == "return.review",
            Event.subject_id.in_([r.id for r in returns]),
        )
        .order_by(Event.id)
    )
    found = {event.subject_id: event.message for event in events}
    return {r.id: found.get(r.id) or ", ".join(r.decision.get("rules") or []) for r in returns}


@bp.get("/")
@staff_required()
def queue() -> ResponseReturnValue:
    """Returns waiting for a person, oldest first; and those on their way to the warehouse."""
    oldest_first = (ReturnRequest.created_at, ReturnRequest.id)
    in_review = list(
        db.session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.status == ReturnStatus.REVIEW)
            .order_by(*oldest_first)
        )
    )
    warehouse = list(
        db.session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.status.in_(WAREHOUSE_STATUSES))
            .order_by(*oldest_first)
        )
    )
    policy = CasePolicy.from_config(current_app.config)
    ids = [r.id for r in in_review + warehouse]
    tags = return_tags(db.session, ids, policy, utcnow(), _language())
    in_review.sort(key=lambda r: (tags[r.id].rank, r.created_at, r.id))  # most pressing first
    return _render(
        "staff/queue.html",
        in_review=in_review,
        review_reasons=_review_reasons(in_review),
        warehouse=warehouse,
        tags=tags,
    )


def _return_page(rma: str, status: int = 200, error: str = "") -> ResponseReturnValue:
    return_request = operations.get_return(db.session, rma)
    return _render(
        "staff/return.html",
        status,
        view=present_return(return_request),
        receivable=[line for line in return_request.lines if line.outcome is LineOutcome.APPROVE],
        inspectable=[line for line in return_request.lines if line.received_quantity > 0],
        conditions=_CONDITIONS,
        dispositions=_DISPOSITIONS,
        error=error,
    )


@bp.get("/returns/<rma>")
@staff_required()
def show_return(rma: str) -> ResponseReturnValue:
    """A return: lines with the rules' decisions, refunds, pickup, history, and its forms."""
    return _return_page(rma)


def _act(rma: str, action: Any) -> ResponseReturnValue:
    """Run an operation on the locked return as the signed-in staff member, then commit.

    A refused operation rolls back and shows the page again with its message and status.
    """
    check_csrf()
    principal = staff_principal(current_staff())
    try:
        return_request = operations.get_return(db.session, rma, lock=True)
        action(return_request, principal.actor)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _return_page(rma, error.status.value, _text("not_done", detail=error.message))
    return redirect(url_for("staff_pages.show_return", rma=rma))


@bp.post("/returns/<rma>/approve")
@staff_required(Role.AGENT)
def approve(rma: str) -> ResponseReturnValue:
    """Approve a return in review."""
    settings = operations.Settings.from_config(current_app.config)
    message = request.form.get("message", "").strip()
    return _act(
        rma,
        lambda r, actor: operations.approve(
            db.session, utcnow(), settings, r, actor=actor, message=message
        ),
    )


@bp.post("/returns/<rma>/reject")
@staff_required(Role.AGENT)
def reject(rma: str) -> ResponseReturnValue:
    """Reject a return with the message the customer reads."""
    message = request.form.get("message", "")
    return _act(
        rma,
        lambda r, actor: operations.reject(db.session, utcnow(), r, actor=actor, message=message),
    )


def _form_int(name: str) -> int:
    value = request.form.get(name, "").strip()
    if not value.isdigit():
        raise InvalidInput(f"{name} must be a whole number", field=name)
    return int(value)


@bp.post("/returns/<rma>/receive")
@staff_required(Role.WAREHOUSE)
def receive(rma: str) -> ResponseReturnValue:
    """Record the units received, line by line."""

    def run(return_request: ReturnRequest, actor: str) -> None:
        received = {
            line.id: _form_int(f"received_{line.id}")
            for line in return_request.lines
            if f"received_{line.id}" in request.form
        }
        if not received:
            raise InvalidInput("give the quantity received of at least one line", field="lines")
        operations.receive_lines(db.session, utcnow(), return_request, received, actor=actor)

    return _act(rma, run)


@bp.post("/returns/<rma>/inspect")
@staff_required(Role.WAREHOUSE)
def inspect(rma: str) -> ResponseReturnValue:
    """Grade each received line and choose its disposition."""

    def run(return_request: ReturnRequest, actor: str) -> None:
        grades = {}
        for line in return_request.lines:
            condition = request.form.get(f"condition_{line.id}")
            if condition is None:
                continue
            disposition = request.form.get(f"disposition_{line.id}", "")
            if condition not in _CONDITIONS:
                raise InvalidInput(f"unknown condition {condition!r}", field="condition")
            if disposition not in _DISPOSITIONS:
                raise InvalidInput(f"unknown disposition {disposition!r}", field="disposition")
            grades[line.id] = {
                "condition": condition,
                "disposition": disposition,
                "notes": request.form.get(f"notes_{line.id}", ""),
            }
        operations.inspect_lines(db.session, utcnow(), return_request, grades, actor=actor)

    return _act(rma, run)


def _rules_page(status: int = 200, **context: Any) -> ResponseReturnValue:
    now = utcnow()
    in_force = service.active_version(db.session, now, Scope.RETURN)
    db.session.commit()  # keep the default version if it was published just now
    versions = list(
        db.session.scalars(
            select(RuleSetVersion)
            .where(RuleSetVersion.scope == Scope.RETURN)
            .order_by(RuleSetVersion.id.desc())
        )
    )
    context.setdefault("document_text", rules.dump_rule_set(in_force.document))
    return _render(
        "staff/rules.html",
        status,
        in_force=in_force,
        in_force_text=rules.dump_rule_set(in_force.document),
        drafts=[v for v in versions if v.status is RuleSetStatus.DRAFT],
        published=[v for v in versions if v.status is RuleSetStatus.PUBLISHED],
        **context,
    )


@bp.get("/rules")
@staff_required(Role.ADMIN)
def rules_page() -> ResponseReturnValue:
    """The return rules in force as YAML, the drafts, and the published versions."""
    saved = request.args.get("saved", type=int)
    published = request.args.get("published", type=int)
    notice = ""
    if saved:
        notice = _text("draft_saved", id=saved)
    elif published:
        notice = _text("published", number=published)
    return _rules_page(notice=notice)


def _parse_rules(text: str) -> dict[str, Any]:
    """A rule set from the textarea's YAML, validated; InvalidInput lists every problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problems = [{"path": "", "message": f"not valid YAML: {error}"}]
        raise InvalidInput("the rule set is not valid", errors={"rules": problems}) from None
    if isinstance(document, dict):
        document.setdefault("scope", Scope.RETURN.value)
    return validated_document(document)


@bp.post("/rules/drafts")
@staff_required(Role.ADMIN)
def save_draft() -> ResponseReturnValue:
    """Save the textarea as a new draft, validated first."""
    check_csrf()
    text = request.form.get("document", "")
    try:
        document = _parse_rules(text)
        if document["scope"] != Scope.RETURN.value:
            raise InvalidInput("these pages edit the return rules", field="scope")
    except InvalidInput as error:
        problems = error.details.get("errors", {}).get("rules") or [
            {"path": error.field or "", "message": error.message}
        ]
        return _rules_page(
            error.status.value,
            error=_text("invalid_rules"),
            problems=problems,
            document_text=text,
        )
    now = utcnow()
    draft = RuleSetVersion(
        status=RuleSetStatus.DRAFT,
        document=document,
        based_on_id=request.form.get("based_on_id", type=int),
        created_by=staff_principal(current_staff()).actor,
        created_at=now,
        updated_at=now,
    )
    db.session.add(draft)
    db.session.commit()
    return redirect(url_for("staff_pages.rules_page", saved=draft.id))


def _version(version_id: int, status: RuleSetStatus) -> RuleSetVersion:
    version = db.session.get(RuleSetVersion, version_id)
    if version is None or version.scope is not Scope.RETURN:
        raise NotFound(f"no rule set version {version_id}")
    if version.status is not status:
        raise Conflict(f"version {version_id} is not a {status.value} version")
    return version


@bp.post("/rules/drafts/<int:draft_id>/simulate")
@staff_required(Role.ADMIN)
def simulate_draft(draft_id: int) -> ResponseReturnValue:
    """Decide the last N requests again with a draft and show what would change."""
    check_csrf()
    last = request.form.get("last", type=int) or 100
    try:
        report = run_simulation(
            _version(draft_id, RuleSetStatus.DRAFT).document,
            last=max(1, min(last, 1_000_000)),
            since=None,
            until=None,
            sample_size=20,
            link_base="",
        )
    except DomainError as error:
        return _rules_page(error.status.value, error=error.message)
    for change in report["sample"]:
        change["link"] = url_for("staff_pages.show_return", rma=change["request_id"])
    return _rules_page(simulation=report, simulated_id=draft_id, last=last)


def _publish(version_id: int, status: RuleSetStatus) -> ResponseReturnValue:
    check_csrf()
    try:
        version = _version(version_id, status)
        validated_document(version.document)
        service.publish(db.session, version, utcnow(), staff_principal(current_staff()).actor)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _rules_page(error.status.value, error=error.message)
    return redirect(url_for("staff_pages.rules_page", published=version.number))


@bp.post("/rules/drafts/<int:draft_id>/publish")
@staff_required(Role.ADMIN)
def publish_draft(draft_id: int) -> ResponseReturnValue:
    """Publish a draft: it decides every return from now on."""
    return _publish(draft_id, RuleSetStatus.DRAFT)


@bp.post("/rules/versions/<int:version_id>/publish")
@staff_required(Role.ADMIN)
def publish_again(version_id: int) -> ResponseReturnValue:
    """Put an earlier published version in force again (a rollback)."""
    return _publish(version_id, RuleSetStatus.PUBLISHED)


@bp.get("/numbers")
@staff_required()
def numbers() -> ResponseReturnValue:
    """The returns dashboard's numbers for the last 30 days."""
    now = utcnow()
    return _render(
        "staff/numbers.html", metrics=return_metrics(db.session, now - timedelta(days=30), now, now)
    )
