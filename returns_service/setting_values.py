"""The values of settings as text: the error that names the variable, whole numbers, yes/no,
database addresses, and the settings written as JSON documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

PREFIX = "RETURNS_"
PRIORITIES = ("urgent", "high", "normal")
#: What a priority rule may look at: a line's reason, the case's status, the order's parcel.
PRIORITY_SIGNALS = ("reason", "status", "shipment")
#: Wrong or damaged goods first, then parcels that did not arrive and stops the warehouse
#: has not answered; everything else (size, changed mind, questions of use) is normal.


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


PARSERS: dict[type, Callable[[str, str], Any]] = {int: _integer, bool: _boolean, str: _text}


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


#: A reason, state or parcel state as the priority mapping names it: ``WRONG_ITEM``.
_CODE = re.compile(r"[A-Za-z0-9_]+")


def parse_case_priorities(text: str) -> dict[str, frozenset[str]]:
    """The ``RETURNS_CASE_PRIORITIES`` JSON as ``{"urgent": {"reason:WRONG_ITEM", ...}, ...}``.

    Each entry is ``signal:value`` with a signal from ``PRIORITY_SIGNALS``; ``normal`` is what
    matches nothing and needs no entries.
    """
    name = f"{PREFIX}CASE_PRIORITIES"
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{name} must be JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ConfigError(f'{name} must be a JSON object such as {{"urgent": ["reason:X"]}}')
    mapping: dict[str, frozenset[str]] = {}
    for priority, entries in document.items():
        if priority not in PRIORITIES:
            raise ConfigError(f"{name}: {priority!r} is not one of {', '.join(PRIORITIES)}")
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ConfigError(f"{name}: {priority} must be a list of strings")
        for entry in entries:
            signal, sep, value = entry.partition(":")
            if not sep or signal not in PRIORITY_SIGNALS or not _CODE.fullmatch(value):
                raise ConfigError(
                    f"{name}: {entry!r} must be signal:value with a signal from "
                    f"{', '.join(PRIORITY_SIGNALS)} and a code of letters, digits and _"
                )
        mapping[priority] = frozenset(entries)
    return mapping


def parse_return_addresses(raw: str) -> dict[str, dict[str, str]]:
    """The ``RETURNS_RETURN_ADDRESSES`` JSON as ``{"US": {"name": ..., ...}, ...}``."""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}RETURN_ADDRESSES is not JSON: {exc}") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) for k, v in parsed.items()
    ):
        raise ConfigError(
            f"{PREFIX}RETURN_ADDRESSES must map country codes to addresses, "
            'such as {"US": {"name": "...", "address1": "...", "phone": "..."}}'
        )
    return {country.upper(): address for country, address in parsed.items()}
