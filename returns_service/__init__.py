"""The returns, exchanges and cancellations service."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from returns_service.config import Settings
from returns_service.instance_secrets import instance_secret_key
from returns_service.json_codec import FastJSONProvider
from returns_service.session_cookie import SessionCookies
from returns_service.setting_values import normalise_database_url
from returns_service.shop import EXTENSION_KEY, ShopSettings


def _settings_config(settings: Settings, instance_path: Path) -> dict[str, Any]:
    """Flask config keys from the settings; embedded defaults where a setting is empty."""
    config = settings.as_config()
    config["SETTINGS"] = settings
    database_url = settings.database_url or f"sqlite:///{instance_path / 'returns.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)
    config["SECRET_KEY"] = settings.secret_key or instance_secret_key(instance_path)
    config["SANDBOX_CARRIER_SECRET"] = settings.sandbox_carrier_secret or instance_secret_key(
        instance_path, "sandbox_carrier_secret"
    )
    config["UPLOAD_DIR"] = settings.upload_dir or str(instance_path / "uploads")
    config["JOB_BACKOFF"] = 10.0
    config["MAIL_ON_DISK"] = not settings.smtp_host
    return config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints. Nothing happens at import."""
    settings = Settings.from_environ()
    instance_path = str(Path(settings.instance_path).resolve()) if settings.instance_path else None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.json = FastJSONProvider(app)
    app.session_interface = SessionCookies()
    app.config.from_mapping(_settings_config(settings, Path(app.instance_path)))
    from returns_service.api.docs import ASSETS_URL

    app.config.update(
        API_TITLE="Returns service API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=ASSETS_URL,
    )
    if test_config is not None:
        app.config.update(test_config)
    if not app.config["REDIS_URL"]:
        from returns_service.embedded_redis import ensure_running

        app.config["REDIS_URL"] = ensure_running(Path(app.instance_path))
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise here

    _init_extensions(app)
    use_shop_settings(app)
    from returns_service.wiring import wire

    wire()
    _register_blueprints(app)
    from returns_service.cli import register_commands

    register_commands(app)
    return app


def use_shop_settings(app: Flask) -> ShopSettings:
    """Build the shop's settings from the app config, once; sessions carry them too.

    Entry points pass them to the operations they call; the session's copy serves the
    ``before_flush`` listeners, which are called with nothing but the session. Called again
    only when a test changed the config.
    """
    from returns_service.extensions import db

    shop = ShopSettings.from_config(app.config)
    app.extensions[EXTENSION_KEY] = shop
    db.session_factory.configure(info={EXTENSION_KEY: shop})
    return shop


def _init_extensions(app: Flask) -> None:
    from returns_service import outbox, pages, rate_limits, request_limits
    from returns_service.auth import staff_sessions
    from returns_service.errors import register_error_handlers
    from returns_service.extensions import api, db, jobs
    from returns_service.wiring import load_all_models

    load_all_models()  # every table known before the first query, in every process
    request_limits.init_app(app)
    db.init_app(app)
    jobs.init_app(app)
    rate_limits.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "API or portal token"}
    )
    register_error_handlers(app)
    pages.init_app(app)
    staff_sessions.init_app(app)
    if not event.contains(db.session_factory, "after_commit", outbox.enqueue_after_commit):
        event.listen(db.session_factory, "after_commit", outbox.enqueue_after_commit)
        event.listen(db.session_factory, "after_rollback", outbox.forget_after_rollback)


def _register_blueprints(app: Flask) -> None:
    from returns_service import health
    from returns_service.api.cancellations import blp as cancellations_blp
    from returns_service.api.cases import blp as cases_blp
    from returns_service.api.docs import assets as swagger_assets_bp
    from returns_service.api.exchange_options import blp as exchange_options_blp
    from returns_service.api.insight import blp as insight_blp
    from returns_service.api.integrations import blp as integrations_blp
    from returns_service.api.jobs import blp as jobs_blp
    from returns_service.api.line import blp as line_blp
    from returns_service.api.metrics import blp as metrics_blp
    from returns_service.api.orders import blp as orders_blp
    from returns_service.api.portal import blp as portal_blp
    from returns_service.api.products import blp as products_blp
    from returns_service.api.refunds import blp as refunds_blp
    from returns_service.api.returns import blp as returns_blp
    from returns_service.api.rules import blp as rules_blp
    from returns_service.api.store_credit import blp as store_credit_blp
    from returns_service.api.subscriptions import blp as subscriptions_blp
    from returns_service.api.webhook_endpoints import blp as webhook_endpoints_blp
    from returns_service.extensions import api
    from returns_service.portal import errors as portal_errors
    from returns_service.portal.cancel import bp as portal_cancel_bp
    from returns_service.portal.line_login import bp as line_login_bp
    from returns_service.portal.pages import bp as portal_pages_bp
    from returns_service.portal.subscription import bp as portal_subscription_bp
    from returns_service.portal.survey import bp as survey_pages_bp
    from returns_service.staff.pages import bp as staff_pages_bp
    from returns_service.webhooks.carriers import bp as carrier_webhooks_bp
    from returns_service.webhooks.line import bp as line_webhook_bp
    from returns_service.webhooks.shopify import bp as shopify_webhooks_bp
    from returns_service.webhooks.shopify_catalogue import bp as catalogue_webhooks_bp
    from returns_service.webhooks.stripe import bp as stripe_webhooks_bp
    from returns_service.webhooks.zendesk import bp as zendesk_webhook_bp

    app.register_blueprint(health.bp)
    app.register_blueprint(swagger_assets_bp)
    app.register_blueprint(portal_pages_bp)
    app.register_blueprint(portal_cancel_bp)
    app.register_blueprint(portal_subscription_bp)
    portal_errors.init_app(app)
    app.register_blueprint(line_login_bp)
    app.register_blueprint(shopify_webhooks_bp)
    app.register_blueprint(catalogue_webhooks_bp)
    app.register_blueprint(stripe_webhooks_bp)
    app.register_blueprint(carrier_webhooks_bp)
    app.register_blueprint(zendesk_webhook_bp)
    app.register_blueprint(line_webhook_bp)
    app.register_blueprint(staff_pages_bp)
    app.register_blueprint(survey_pages_bp)
    api.register_blueprint(orders_blp)
    api.register_blueprint(jobs_blp)
    api.register_blueprint(webhook_endpoints_blp)
    api.register_blueprint(portal_blp)
    api.register_blueprint(returns_blp)
    api.register_blueprint(rules_blp)
    api.register_blueprint(store_credit_blp)
    api.register_blueprint(cancellations_blp)
    api.register_blueprint(subscriptions_blp)
    api.register_blueprint(refunds_blp)
    api.register_blueprint(metrics_blp)
    api.register_blueprint(products_blp)
    api.register_blueprint(exchange_options_blp)
    api.register_blueprint(cases_blp)
    api.register_blueprint(insight_blp)
    api.register_blueprint(integrations_blp)
    api.register_blueprint(line_blp)
