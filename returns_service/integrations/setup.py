"""Wire the integrations into the app: their jobs, webhooks, API and the timeline listener."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event


def init_app(app: Flask) -> None:
    """Register the integrations' jobs, blueprints and ``before_flush`` listeners."""
    from returns_service.extensions import api, db
    from returns_service.integrations import warehouse_jobs  # noqa: F401  (registers jobs)
    from returns_service.integrations.api import blp as integrations_blp
    from returns_service.integrations.line import jobs as line_jobs  # noqa: F401
    from returns_service.integrations.line.api import blp as line_blp
    from returns_service.integrations.line.routing import route_customer_messages
    from returns_service.integrations.line.webhook import bp as line_webhook_bp
    from returns_service.integrations.reactions import queue_reactions
    from returns_service.integrations.shopify_returns import jobs as shopify_jobs  # noqa: F401
    from returns_service.integrations.zendesk import jobs as zendesk_jobs  # noqa: F401
    from returns_service.integrations.zendesk.webhook import bp as zendesk_webhook_bp

    api.register_blueprint(integrations_blp)
    api.register_blueprint(line_blp)
    app.register_blueprint(zendesk_webhook_bp)
    app.register_blueprint(line_webhook_bp)
    if not event.contains(db.session_factory, "before_flush", queue_reactions):
        event.listen(db.session_factory, "before_flush", queue_reactions)
        event.listen(db.session_factory, "before_flush", route_customer_messages)
