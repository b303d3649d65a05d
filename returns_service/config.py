"""Every setting of the service, with its default and the environment variable that overrides it.

Nothing else in the code base reads ``os.environ``: the app factory turns the environment
into a :class:`Settings` once, and everything else receives values from it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from business_time import CalendarSettingError, parse_business_hours, parse_closed_days
from returns_service.setting_values import (
    PARSERS,
    PREFIX,
    ConfigError,
    normalise_database_url,
    parse_case_priorities,
    parse_return_addresses,
)

LOCALES = ("ja", "en")
PARTIAL_CANCEL_SHIPPING = ("none", "proportional", "full")
SURVEY_SCALES = ("csat", "nps")
DEFAULT_CASE_PRIORITIES = (
    '{"urgent": ["reason:WRONG_ITEM", "reason:DEFECTIVE"], '
    '"high": ["reason:NOT_RECEIVED", "reason:NOT_AS_DESCRIBED", "reason:DELIVERY_TOO_SLOW", '
    '"status:pending_stop", '
    '"shipment:exception", "shipment:returned_to_sender"]}'
)
WAREHOUSE_SYSTEMS = ("webhooks", "logiless")
#: Settings renamed, old name to new: a service started with an old one refuses to start
#: rather than quietly use the default (a shop that asked for every token to be checked
#: would otherwise have them trusted for seconds).
RENAMED = {"TOKEN_CHECK_SECONDS": "ACCESS_CHECK_SECONDS"}
#: Settings that hold credentials: never logged, never shown.
SECRET_SETTINGS = frozenset(
    {
        "secret_key",
        "smtp_password",
        "easypost_api_key",
        "easypost_webhook_secret",
        "stripe_api_key",
        "stripe_webhook_secret",
        "shopify_webhook_secret",
        "shopify_access_token",
        "warehouse_webhook_secret",
        "logiless_access_token",
        "logiless_refresh_token",
        "logiless_client_secret",
        "zendesk_api_token",
        "zendesk_webhook_secret",
        "line_channel_secret",
        "line_channel_access_token",
        "line_login_channel_secret",
    }
)


@dataclass(frozen=True)
class Settings:
    """The service's settings. Field ``x`` is read from ``RETURNS_X``."""

    instance_path: str = ""  # empty: ./instance beside the package
    database_url: str = ""  # empty: a SQLite file in the instance folder
    redis_url: str = ""  # empty: a Redis server the service starts itself
    secret_key: str = ""  # empty: generated once and kept in the instance folder
    shop_name: str = "Demo Shop"
    timezone: str = "Asia/Tokyo"
    default_locale: str = "ja"
    currency: str = "JPY"
    public_url: str = "http://127.0.0.1:5000"
    shopify_webhook_secret: str = ""
    smtp_host: str = ""  # empty: mail goes to the local mailbox only
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "returns@example.com"
    portal_token_minutes: int = 60
    #: How long a process takes an API token it found valid, and a staff member it read,
    #: without asking the database again: a change made elsewhere (a token revoked, a
    #: sign-out, a deactivation) reaches every process within this time.
    access_check_seconds: int = 5
    portal_rate_limit: str = "10 per minute"
    redis_key_prefix: str = ""
    upload_dir: str = ""  # empty: instance/uploads
    max_photo_bytes: int = 5 * 1024 * 1024
    max_photos_per_line: int = 5
    max_photos_per_request: int = 10
    #: Largest body of a JSON (or any other non-multipart) request.
    max_json_bytes: int = 1024 * 1024
    return_parcel_days: int = 14
    return_window_days: int = 30
    job_retries: int = 5
    carrier: str = "sandbox"
    easypost_api_base: str = "https://api.easypost.com"
    easypost_api_key: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    shopify_api_base: str = ""  # https://<shop>.myshopify.com
    shopify_access_token: str = ""
    #: Minutes between reconciliations of stock with Shopify's levels; 0 turns them off.
    shopify_stock_sync_minutes: int = 60
    easypost_webhook_secret: str = ""  # empty: EasyPost's tracking pushes are refused
    #: Signs the sandbox carrier's simulated scans; empty: generated and kept in the instance.
    sandbox_carrier_secret: str = ""
    #: Carriers rate a label by weight; returns are weighed at this unless known.
    default_parcel_grams: int = 1000
    warehouse_name: str = "Returns Centre"
    warehouse_phone: str = "03-0000-0000"
    warehouse_postal_code: str = "135-0061"
    warehouse_country: str = "JP"
    warehouse_province: str = "東京都"
    warehouse_city: str = "江東区"
    warehouse_address1: str = "豊洲1-1-1"
    #: JSON: return addresses by the order's country, {"US": {"name": ..., "phone": ...}};
    #: an order from a country not named (or an empty setting) uses the warehouse above.
    return_addresses: str = ""
    #: The customer pages' branding: logo image URL, main colour, return policy page.
    shop_logo_url: str = ""
    shop_colour: str = "#1f5f8b"
    return_policy_url: str = ""
    #: Days the status-page links in e-mails stay valid.
    return_link_days: int = 30
    #: A font with Japanese glyphs for the printable return slip (PDF).
    slip_font_path: str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
    #: A stop the warehouse has not answered in this time goes to a person.
    warehouse_stop_timeout_minutes: int = 120
    #: Signs the warehouse's answers to stop requests (``X-Returns-Signature``).
    warehouse_webhook_secret: str = ""
    #: Shipping given back by a cancellation that leaves lines: none, proportional or full.
    refund_shipping_on_partial_cancel: str = "none"
    #: Days between subscription deliveries, where the orders do not tell.
    subscription_interval_days: int = 30
    #: Business days (of open time) to a case's first response, and to its resolution.
    sla_first_response_business_days: int = 1
    sla_resolution_business_days: int = 3
    #: The shop's opening hours on a business day, in its time zone.
    business_hours: str = "10:00-18:00"
    #: Closed besides weekends and public holidays: 12/29-1/3, 2026-08-14, 2026-08-13..2026-08-16.
    closed_days: str = "12/29-1/3"
    #: JSON: which reasons, statuses and parcel states make a case urgent or high.
    case_priorities: str = DEFAULT_CASE_PRIORITIES
    #: A normal case waiting this many business days counts as high, so nothing starves.
    case_aging_business_days: int = 2
    #: The satisfaction question: csat (1-5) or nps (0-10).
    survey_scale: str = "csat"
    #: Minutes after a case closes before its survey goes out, behind the closing e-mail.
    survey_delay_minutes: int = 60
    #: Hosts outbound webhooks may reach over plain http and at any address (comma-separated;
    #: for local development only, such as ``localhost``). Everything else: https, public.
    webhook_http_hosts: str = ""
    log_level: str = "INFO"
    #: Which warehouse system takes shipment orders and stops: webhooks or logiless.
    warehouse_system: str = "webhooks"
    logiless_api_base: str = "https://app2.logiless.com/api/v1"
    logiless_merchant_id: str = ""
    logiless_access_token: str = ""  # secret
    #: Renewing the access token (OAuth 2.0 refresh): all three, or none to never renew.
    logiless_refresh_token: str = ""  # secret
    logiless_client_id: str = ""
    logiless_client_secret: str = ""  # secret
    logiless_token_url: str = "https://app2.logiless.com/oauth2/token"
    #: Stock is read from the warehouse system this often (0: only on demand).
    warehouse_stock_sync_minutes: int = 60
    #: Mirror approved returns of Shopify orders as returns in Shopify (GraphQL Admin API).
    shopify_returns_mirror: bool = False
    shopify_returns_api_version: str = "2026-01"
    zendesk_api_base: str = ""  # https://<subdomain>.zendesk.com; empty: no Zendesk
    zendesk_email: str = ""
    zendesk_api_token: str = ""  # secret
    zendesk_webhook_secret: str = ""  # secret
    line_channel_secret: str = ""  # secret; empty: no LINE
    line_channel_access_token: str = ""  # secret
    line_api_base: str = "https://api.line.me"
    #: LINE Login (the portal's "link with LINE"): its channel, apart from the Messaging API's.
    line_login_channel_id: str = ""  # empty: the portal offers the link code only
    line_login_channel_secret: str = ""  # secret
    line_login_authorize_url: str = "https://access.line.me/oauth2/v2.1/authorize"

    def __repr__(self) -> str:
        """The settings with every credential masked, so that logging them leaks nothing."""
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            masked = f.name in SECRET_SETTINGS and value
            shown.append(f"{f.name}={'***' if masked else repr(value)}")
        return f"Settings({', '.join(shown)})"

    def as_config(self) -> dict[str, Any]:
        """The settings keyed as the app config holds them: field ``x`` as ``X``."""
        return {f.name.upper(): getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``RETURNS_*`` variable, parse and check it."""
        environ = os.environ if environ is None else environ
        for old, new in RENAMED.items():
            if PREFIX + old in environ:
                raise ConfigError(f"{PREFIX}{old} is now {PREFIX}{new}: set that instead")
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is not None:
                parser = PARSERS[type(getattr(cls, f.name))]
                values[f.name] = parser(f.name.upper(), raw)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Fail at start, naming the variable, rather than at the first request."""
        if self.database_url:
            normalise_database_url(self.database_url)
        if self.redis_url and urlsplit(self.redis_url).scheme not in ("redis", "rediss", "unix"):
            raise ConfigError(
                f"{PREFIX}REDIS_URL must look like redis://host:port/db, got {self.redis_url!r}"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{PREFIX}TIMEZONE must be an IANA time zone such as Asia/Tokyo, "
                f"got {self.timezone!r}"
            ) from None
        if self.default_locale not in LOCALES:
            raise ConfigError(
                f"{PREFIX}DEFAULT_LOCALE must be one of {', '.join(LOCALES)}, "
                f"got {self.default_locale!r}"
            )
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ConfigError(
                f"{PREFIX}CURRENCY must be an ISO 4217 code such as JPY, got {self.currency!r}"
            )
        if not 0 < self.smtp_port < 65536:
            raise ConfigError(f"{PREFIX}SMTP_PORT must be a TCP port, got {self.smtp_port}")
        for name in (
            "portal_token_minutes",
            "return_parcel_days",
            "return_window_days",
            "max_photo_bytes",
            "max_photos_per_line",
            "max_photos_per_request",
            "max_json_bytes",
            "default_parcel_grams",
            "warehouse_stop_timeout_minutes",
            "subscription_interval_days",
            "sla_first_response_business_days",
            "sla_resolution_business_days",
            "case_aging_business_days",
            "survey_delay_minutes",
            "return_link_days",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{PREFIX}{name.upper()} must be positive")
        if self.refund_shipping_on_partial_cancel not in PARTIAL_CANCEL_SHIPPING:
            raise ConfigError(
                f"{PREFIX}REFUND_SHIPPING_ON_PARTIAL_CANCEL must be one of "
                f"{', '.join(PARTIAL_CANCEL_SHIPPING)}, "
                f"got {self.refund_shipping_on_partial_cancel!r}"
            )
        for name in ("job_retries", "shopify_stock_sync_minutes", "access_check_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{PREFIX}{name.upper()} must not be negative")
        self._check_business_time()
        self._check_integrations()
        parse_case_priorities(self.case_priorities)
        self._check_portal()
        if self.survey_scale not in SURVEY_SCALES:
            raise ConfigError(
                f"{PREFIX}SURVEY_SCALE must be one of {', '.join(SURVEY_SCALES)}, "
                f"got {self.survey_scale!r}"
            )

    def _check_business_time(self) -> None:
        try:
            parse_business_hours(self.business_hours)
        except CalendarSettingError as exc:
            raise ConfigError(f"{PREFIX}BUSINESS_HOURS: {exc}") from None
        try:
            parse_closed_days(self.closed_days)
        except CalendarSettingError as exc:
            raise ConfigError(f"{PREFIX}CLOSED_DAYS: {exc}") from None

    def _check_portal(self) -> None:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.shop_colour):
            raise ConfigError(
                f"{PREFIX}SHOP_COLOUR must look like #1f5f8b, got {self.shop_colour!r}"
            )
        parse_return_addresses(self.return_addresses)

    def _check_integrations(self) -> None:
        """Each integration switched on has every piece it needs; a missing one is named."""
        if self.warehouse_system not in WAREHOUSE_SYSTEMS:
            raise ConfigError(
                f"{PREFIX}WAREHOUSE_SYSTEM must be one of {', '.join(WAREHOUSE_SYSTEMS)}, "
                f"got {self.warehouse_system!r}"
            )
        required: list[tuple[bool, str, tuple[str, ...]]] = [
            (
                self.warehouse_system == "logiless",
                "WAREHOUSE_SYSTEM=logiless",
                ("logiless_api_base", "logiless_merchant_id", "logiless_access_token"),
            ),
            (
                self.shopify_returns_mirror,
                "SHOPIFY_RETURNS_MIRROR",
                ("shopify_api_base", "shopify_access_token"),
            ),
            (
                bool(self.zendesk_api_base),
                "ZENDESK_API_BASE",
                ("zendesk_email", "zendesk_api_token", "zendesk_webhook_secret"),
            ),
            (
                bool(self.line_channel_secret),
                "LINE_CHANNEL_SECRET",
                ("line_channel_access_token", "line_api_base"),
            ),
            (
                bool(self.logiless_refresh_token),
                "LOGILESS_REFRESH_TOKEN",
                ("logiless_client_id", "logiless_client_secret", "logiless_token_url"),
            ),
            (
                bool(self.line_login_channel_id),
                "LINE_LOGIN_CHANNEL_ID",
                ("line_login_channel_secret", "line_channel_secret", "line_login_authorize_url"),
            ),
        ]
        for switched_on, switch, names in required:
            for name in names:
                if switched_on and not getattr(self, name):
                    raise ConfigError(f"{PREFIX}{name.upper()} is required with {PREFIX}{switch}")
        if self.warehouse_stock_sync_minutes < 0:
            raise ConfigError(f"{PREFIX}WAREHOUSE_STOCK_SYNC_MINUTES must not be negative")
        for name in (
            "logiless_api_base",
            "logiless_token_url",
            "zendesk_api_base",
            "line_api_base",
            "line_login_authorize_url",
        ):
            value = getattr(self, name)
            if value and urlsplit(value).scheme not in ("http", "https"):
                raise ConfigError(f"{PREFIX}{name.upper()} must be an http(s) URL, got {value!r}")
