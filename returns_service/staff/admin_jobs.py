"""Admin pages: background jobs that used up their retries, with their error, and a retry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from returns_service import outbox
from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.errors import Conflict, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.outbox import OutboxMessage
from returns_service.staff.admin_views import admin_render, in_one_transaction

#: How many failed jobs the page lists, newest first.
PAGE_SIZE = 200

#: What each kind of job was to do, in the staff's words (the code is shown beside it).
JOB_LABELS = {
    "send_email": _l("Send an e-mail to a customer"),
    "send_webhook": _l("Send a webhook"),
    "issue_refund": _l("Issue a refund"),
    "issue_store_credit": _l("Issue store credit"),
    "create_return_label": _l("Buy a return label"),
    "request_pickup": _l("Book a pickup"),
    "cancel_pickup": _l("Call off a pickup"),
    "restock": _l("Put returned items back in stock"),
    "create_exchange_shipment": _l("Ship a replacement"),
    "cancel_shopify_order": _l("Cancel the order at Shopify"),
    "reconcile_shopify_stock": _l("Reconcile stock with Shopify"),
    "warehouse_send_shipment": _l("Send a replacement's shipment order to the warehouse"),
    "warehouse_stop_shipment": _l("Ask the warehouse to stop a shipment"),
    "warehouse_cancel_order": _l("Cancel the order at the warehouse"),
    "warehouse_expect_return": _l("Announce a returned parcel to the warehouse"),
    "warehouse_sync_stock": _l("Read stock from the warehouse"),
    "sync_shopify_return": _l("Record the return at Shopify"),
    "zendesk_open_ticket": _l("Open a helpdesk ticket"),
    "zendesk_add_note": _l("Add a note to a helpdesk ticket"),
    "zendesk_solve_ticket": _l("Solve a helpdesk ticket"),
    "push_line_message": _l("Send a message to the customer's chat app"),
    "line_reply": _l("Answer a message in the customer's chat app"),
}


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    return admin_render(
        "staff/admin_jobs.html",
        status,
        jobs=outbox.failed_jobs(db.session, PAGE_SIZE),
        job_labels=JOB_LABELS,
        **context,
    )


@staff_required(Role.ADMIN)
def admin_jobs() -> ResponseReturnValue:
    """Failed jobs, newest first: what they were to do, how often they tried, their error."""
    retried = request.args.get("retried", "")
    notice = gettext("Job %(id)s is back in line.", id=retried) if retried else ""
    return _page(notice=notice)


def _retry(job_id: str) -> OutboxMessage:
    try:
        return outbox.retry_failed(db.session, job_id, utcnow())
    except LookupError as exc:
        raise NotFound(str(exc)) from None
    except ValueError as exc:
        raise Conflict(str(exc)) from None


@staff_required(Role.ADMIN)
def retry_job(job_id: str) -> ResponseReturnValue:
    """Put a failed job back in line from its first attempt."""
    return in_one_transaction(
        lambda: _retry(job_id),
        lambda message: redirect(url_for("staff_pages.admin_jobs", retried=message.id)),
        lambda status, error: _page(status, error=error),
        {
            404: gettext("There is no such job."),
            409: gettext("Only a job that failed can be retried."),
        },
    )


def register(bp: Blueprint) -> None:
    """Add the failed jobs page to the staff blueprint."""
    bp.add_url_rule("/admin/jobs", view_func=admin_jobs, methods=["GET"])
    bp.add_url_rule("/admin/jobs/<job_id>/retry", view_func=retry_job, methods=["POST"])
