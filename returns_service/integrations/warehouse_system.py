"""The interface of a warehouse system, its neutral models, and the registry that picks one.

Like ``carriers/``: adapters are built from explicit settings, never read the environment
or the database, and raise :class:`NotSupported` for what their system does not offer.
The service's own signed webhooks are the other implementation; they live in
``returns_service/warehouse.py`` because they are written in the caller's transaction.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from returns_service.integrations.errors import NotSupported


@dataclass(frozen=True)
class Address:
    """Where a parcel goes, in the order document's address shape."""

    name: str
    postal_code: str
    province: str
    city: str
    address1: str
    address2: str = ""
    phone: str = ""
    country: str = "JP"


@dataclass(frozen=True)
class ShipmentLine:
    """Units of one SKU in a shipment or an expected delivery."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class ShipmentOrder:
    """Ship these units to the customer (an exchange's replacement)."""

    code: str  # our reference, unique per shipment: the system's idempotency key
    order_number: str
    ship_to: Address
    lines: Sequence[ShipmentLine]
    buyer_email: str = ""


@dataclass(frozen=True)
class ShipmentReceipt:
    """The system took the order; ``id`` is its own id for it."""

    id: str
    code: str


class StopOutcome(StrEnum):
    """What became of a request to stop an order's shipment."""

    STOPPED = "stopped"  # nothing will leave: cancel and refund
    SHIPPED = "shipped"  # the parcel left: offer a return
    PENDING = "pending"  # the answer comes later (a webhook answer)


@dataclass(frozen=True)
class StopAnswer:
    """The system's answer to a stop, with what it said, for the timeline."""

    outcome: StopOutcome
    note: str = ""
    external_id: str | None = None


@dataclass(frozen=True)
class ExpectedReturn:
    """A parcel the customer sends back, announced so the warehouse can book it in."""

    code: str  # our RMA
    order_number: str
    lines: Sequence[ShipmentLine]
    sender: Address | None = None


@dataclass(frozen=True)
class StockLevel:
    """Units of a SKU the warehouse can still promise."""

    sku: str
    available: int
    details: Mapping[str, Any] = field(default_factory=dict)


class WarehouseSystem:
    """Shipments, stops, expected returns and stock for one warehouse system."""

    name: ClassVar[str] = ""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings

    def send_shipment(self, order: ShipmentOrder) -> ShipmentReceipt:
        """Ask the warehouse to ship; the same ``order.code`` must not ship twice."""
        raise self._not_supported("shipment orders")

    def stop_shipment(self, order_number: str) -> StopAnswer:
        """Ask the warehouse to stop an order's shipment and read its answer."""
        raise self._not_supported("stopping shipments")

    def expect_return(self, expected: ExpectedReturn) -> str:
        """Announce a returning parcel; returns the system's id for the expected delivery."""
        raise self._not_supported("expected returns")

    def stock_levels(self, skus: Sequence[str] | None = None) -> list[StockLevel]:
        """Units available per SKU (all SKUs when ``skus`` is None)."""
        raise self._not_supported("stock levels")

    def _not_supported(self, what: str) -> NotSupported:
        return NotSupported(f"warehouse system {self.name!r} does not support {what}")


System = TypeVar("System", bound=type[WarehouseSystem])
_SYSTEMS: dict[str, type[WarehouseSystem]] = {}


def register(name: str) -> Callable[[System], System]:
    """Register a warehouse system class under ``name``; a class decorator."""

    def decorator(cls: System) -> System:
        cls.name = name
        _SYSTEMS[name] = cls
        return cls

    return decorator


def get_system(name: str, settings: Mapping[str, Any]) -> WarehouseSystem:
    """Build the warehouse system registered as ``name``."""
    try:
        return _SYSTEMS[name](settings)
    except KeyError:
        raise ValueError(
            f"unknown warehouse system {name!r}; choose one of: {', '.join(sorted(_SYSTEMS))}"
        ) from None
