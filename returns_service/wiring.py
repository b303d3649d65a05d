"""Where the parts are plugged together: tables, jobs, periodic tasks, providers, guards.

The app factory calls :func:`wire` once per process. Everything that runs by name (an
outbox message's job, a payment provider an order names) or is called back by a lower
part (the order guards) is listed here, in one place, instead of registering itself as a
side effect of being imported.
"""

from __future__ import annotations

from sqlalchemy import event

from returns_service import outbox, plain_inserts, plain_updates, plain_writes, worker
from returns_service.cancellations import jobs as cancellation_jobs
from returns_service.cancellations import side_effects as cancellation_side_effects
from returns_service.cancellations.guard import CancellationGuard
from returns_service.cancellations.shopify import CANCEL_PROVIDER, canceller_provider
from returns_service.cases import jobs as case_jobs
from returns_service.cases import ranks
from returns_service.catalogue import jobs as catalogue_jobs
from returns_service.events import Event
from returns_service.extensions import db
from returns_service.insight import jobs as insight_jobs
from returns_service.integrations import warehouse_jobs as warehouse_jobs
from returns_service.integrations.line import jobs as line_jobs
from returns_service.integrations.line.routing import route_customer_messages
from returns_service.integrations.reactions import queue_reactions
from returns_service.integrations.schedule import queue_due_stock_sync
from returns_service.integrations.shopify_returns import jobs as shopify_return_jobs
from returns_service.integrations.zendesk import jobs as zendesk_jobs
from returns_service.notifications import jobs as notification_jobs
from returns_service.notifications.models import WebhookDelivery
from returns_service.orders.guards import register_guard
from returns_service.orders.models import Order
from returns_service.outbox import OutboxMessage
from returns_service.refunds import jobs as refund_jobs
from returns_service.refunds.models import Refund
from returns_service.refunds.providers import register_provider
from returns_service.refunds.shopify import shopify_provider
from returns_service.refunds.stripe import stripe_provider
from returns_service.returns import jobs as return_jobs
from returns_service.returns import pending_photos
from returns_service.returns import side_effects as return_side_effects
from returns_service.returns.models import ReturnLine

JOBS = {
    "send_email": notification_jobs.send_email,
    "send_webhook": notification_jobs.send_webhook,
    "issue_refund": refund_jobs.issue_refund,
    "issue_store_credit": refund_jobs.issue_store_credit,
    "create_return_label": return_jobs.create_return_label,
    "request_pickup": return_jobs.request_pickup,
    "cancel_pickup": return_jobs.cancel_pickup,
    "restock": return_jobs.restock,
    "create_exchange_shipment": return_jobs.create_exchange_shipment,
    "cancel_shopify_order": cancellation_jobs.cancel_shopify_order,
    catalogue_jobs.RECONCILE_JOB: catalogue_jobs.reconcile_shopify_stock,
    "warehouse_send_shipment": warehouse_jobs.send_shipment,
    "warehouse_stop_shipment": warehouse_jobs.stop_shipment,
    "warehouse_cancel_order": warehouse_jobs.cancel_order,
    "warehouse_expect_return": warehouse_jobs.expect_return,
    "warehouse_sync_stock": warehouse_jobs.sync_stock,
    "sync_shopify_return": shopify_return_jobs.sync_shopify_return,
    "zendesk_open_ticket": zendesk_jobs.open_ticket,
    "zendesk_add_note": zendesk_jobs.add_note,
    "zendesk_solve_ticket": zendesk_jobs.solve_ticket,
    "push_line_message": line_jobs.push_line_message,
    "line_reply": line_jobs.line_reply,
}

#: Run when a job fails for good, so the object it acts on shows the failure itself.
GIVE_UP_HANDLERS = {
    "issue_refund": refund_jobs.refund_gave_up,
    "issue_store_credit": refund_jobs.refund_gave_up,
    "send_webhook": notification_jobs.webhook_gave_up,
    "request_pickup": return_side_effects.pickup_gave_up,
    "create_exchange_shipment": return_side_effects.exchange_shipment_gave_up,
    "warehouse_send_shipment": return_side_effects.exchange_shipment_gave_up,
    "cancel_shopify_order": cancellation_side_effects.shopify_cancel_gave_up,
}

PERIODIC_TASKS = {
    "expire_unsent_returns": return_jobs.expire_unsent_returns,
    "escalate_unanswered_stops": cancellation_jobs.escalate_unanswered_stops,
    "reconcile_shopify_stock": catalogue_jobs.reconcile_when_due,
    "desk_round": case_jobs.desk_round,
    "look_for_jumps": insight_jobs.look_for_jumps,
    "sync_warehouse_stock": queue_due_stock_sync,
    "remove_stale_pending_photos": pending_photos.remove_stale,
}

_CANCELLATION_GUARD = CancellationGuard()


def wire() -> None:
    """Register every job, periodic task, payment provider and order guard; idempotent."""
    outbox.register_runner(worker.run_messages)
    for name, handler in JOBS.items():
        outbox.register_job(name, handler)
    for name, handler in GIVE_UP_HANDLERS.items():
        outbox.register_give_up(name, handler)
    for name, task in PERIODIC_TASKS.items():
        worker.register_periodic_task(name, task)
    register_provider("stripe", stripe_provider)
    register_provider("shopify", shopify_provider)
    register_provider(CANCEL_PROVIDER, canceller_provider)
    register_guard(_CANCELLATION_GUARD)
    # The integrations react to new timeline events and route customer messages in the
    # same flush, so their outbox rows commit with the change that caused them.
    # The work list's ranks follow the cases' states and their parcels' in the same flush.
    for listener in (
        queue_reactions,
        route_customer_messages,
        ranks.keep_ranks,
        plain_writes.write_plainly,
    ):
        if not event.contains(db.session_factory, "before_flush", listener):
            event.listen(db.session_factory, "before_flush", listener)
    for model in ranks.RANKED:
        plain_inserts.before_insert(model, ranks.rank_new)
    for model in (*ranks.RANKED, ReturnLine, Order, Refund):
        plain_updates.write_at_flush(model)
    for model in (Event, OutboxMessage, WebhookDelivery):
        plain_inserts.write_at_flush(model)


def load_all_models() -> None:
    """Import every model module so that ``Base.metadata`` knows every table."""
    import returns_service.auth.models
    import returns_service.cancellations.models
    import returns_service.cases.models
    import returns_service.catalogue.models
    import returns_service.events
    import returns_service.idempotency
    import returns_service.insight.models
    import returns_service.integrations.line.models
    import returns_service.integrations.models
    import returns_service.inventory.models
    import returns_service.notifications.models
    import returns_service.orders.models
    import returns_service.outbox
    import returns_service.refunds.models
    import returns_service.returns.models
    import returns_service.rulesets.models
    import returns_service.subscriptions.models  # noqa: F401
