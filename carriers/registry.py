"""Carrier adapters by type name, so configuration can choose one with a string."""

from collections.abc import Callable, Mapping
from typing import TypeVar

from carriers.base import CarrierAdapter

AdapterClass = TypeVar("AdapterClass", bound=type[CarrierAdapter])

_ADAPTERS: dict[str, type[CarrierAdapter]] = {}


def register(name: str) -> Callable[[AdapterClass], AdapterClass]:
    """Register an adapter class under ``name``; used as a class decorator."""

    def decorator(cls: AdapterClass) -> AdapterClass:
        known = _ADAPTERS.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"carrier adapter {name!r} is already registered by {known!r}")
        cls.name = name
        _ADAPTERS[name] = cls
        return cls

    return decorator


def available() -> tuple[str, ...]:
    """Names of the registered adapters, sorted."""
    return tuple(sorted(_ADAPTERS))


def get_adapter(name: str, settings: Mapping[str, str]) -> CarrierAdapter:
    """Build the adapter registered as ``name`` from its settings."""
    try:
        cls = _ADAPTERS[name]
    except KeyError:
        raise ValueError(
            f"unknown carrier adapter {name!r}; choose one of: {', '.join(available())}"
        ) from None
    return cls(settings)
