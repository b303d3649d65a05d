"""Every setting of the service, with its default and the environment variable that overrides it.

Nothing else in the code base reads ``os.environ``: the app factory turns the environment
into a :class:`Settings` once, and everything else receives values from it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "RETURNS_"
LOCALES = ("ja", "en")
PARTIAL_CANCEL_SHIPPING = ("none", "proportional", "full")


class ConfigError(ValueError):
    """A setting has a value the service cannot run with; the message names the variable."""


def _integer(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, got {raw!r}") from None


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, got {raw!r}")


def _text(name: str, raw: str) -> str:
    return raw


_PARSERS: dict[type, Callable[[str, str], Any]] = {int: _integer, bool: _boolean, str: _text}


def normalise_database_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` as hosting platforms hand them out.

    SQLAlchemy would pick psycopg2 for a bare ``postgresql://``; the service ships psycopg 3.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(
            f"{PREFIX}DATABASE_URL must look like postgresql://user@host:port/db "
            f"or sqlite:///path, got {url!r}"
        )
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    if scheme.split("+")[0] not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"{PREFIX}DATABASE_URL must use PostgreSQL or SQLite, got scheme {scheme!r}"
        )
    return url


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
    portal_rate_limit: str = "10 per minute"
    redis_key_prefix: str = ""
    upload_dir: str = ""  # empty: instance/uploads
    max_photo_bytes: int = 5 * 1024 * 1024
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
    easypost_webhook_secret: str = ""
    #: Carriers rate a label by weight; returns are weighed at this unless known.
    default_parcel_grams: int = 1000
    warehouse_name: str = "Returns Centre"
    warehouse_phone: str = "03-0000-0000"
    warehouse_postal_code: str = "135-0061"
    warehouse_country: str = "JP"
    warehouse_province: str = "東京都"
    warehouse_city: str = "江東区"
    warehouse_address1: str = "豊洲1-1-1"
    #: A stop the warehouse has not answered in this time goes to a person.
    warehouse_stop_timeout_minutes: int = 120
    #: Signs the warehouse's answers to stop requests (``X-Returns-Signature``).
    warehouse_webhook_secret: str = ""
    #: Shipping given back by a cancellation that leaves lines: none, proportional or full.
    refund_shipping_on_partial_cancel: str = "none"
    #: Days between subscription deliveries, where the orders do not tell.
    subscription_interval_days: int = 30
    #: Hosts outbound webhooks may reach over plain http and at any address (comma-separated;
    #: for local development only, such as ``localhost``). Everything else: https, public.
    webhook_http_hosts: str = ""
    log_level: str = "INFO"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``RETURNS_*`` variable, parse and check it."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is not None:
                parser = _PARSERS[type(getattr(cls, f.name))]
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
            "default_parcel_grams",
            "warehouse_stop_timeout_minutes",
            "subscription_interval_days",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{PREFIX}{name.upper()} must be positive")
        if self.refund_shipping_on_partial_cancel not in PARTIAL_CANCEL_SHIPPING:
            raise ConfigError(
                f"{PREFIX}REFUND_SHIPPING_ON_PARTIAL_CANCEL must be one of "
                f"{', '.join(PARTIAL_CANCEL_SHIPPING)}, "
                f"got {self.refund_shipping_on_partial_cancel!r}"
            )
        if self.job_retries < 0:
            raise ConfigError(f"{PREFIX}JOB_RETRIES must not be negative")


def instance_secret_key(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, creating it on first use.

    The file appears whole and readable by its owner only; processes starting together (web
    workers, the job worker) all end up with the key of the first one to create it.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists() and (key := key_file.read_text().strip()):
        return key
    instance_path.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".secret_key-", dir=instance_path)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, key_file)  # fails if another process created it meanwhile
        except FileExistsError:
            if not key_file.read_text().strip():  # empty: left by a crash mid-write
                os.replace(temporary, key_file)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return key_file.read_text().strip()
