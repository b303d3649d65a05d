"""Adapters are chosen by name; the base adapter supports nothing."""

from datetime import date

import pytest

from carriers import (
    Address,
    CarrierAdapter,
    CarrierError,
    NotSupported,
    PickupRequest,
    available,
    get_adapter,
    register,
)
from carriers.easypost import EasyPostAdapter
from carriers.registry import _ADAPTERS
from carriers.sandbox import SandboxAdapter


@pytest.fixture
def scratch_registry():
    saved = dict(_ADAPTERS)
    yield
    _ADAPTERS.clear()
    _ADAPTERS.update(saved)


def test_bundled_adapters_are_available():
    assert available() == ("easypost", "sandbox")
    assert isinstance(get_adapter("sandbox", {}), SandboxAdapter)
    assert isinstance(get_adapter("easypost", {"api_key": "k"}), EasyPostAdapter)


def test_unknown_adapter_names_the_choices():
    with pytest.raises(ValueError, match="unknown carrier adapter 'dhl'; choose one of: easypost"):
        get_adapter("dhl", {})


def test_register_names_the_class_and_refuses_a_second_owner(scratch_registry):
    @register("nothing")
    class Nothing(CarrierAdapter):
        """Supports nothing at all."""

    assert Nothing.name == "nothing"
    assert "nothing" in available()
    assert register("nothing")(Nothing) is Nothing

    with pytest.raises(ValueError, match="already registered"):

        @register("nothing")
        class Other(CarrierAdapter):
            """Wants the same name."""


def test_base_methods_raise_not_supported(scratch_registry):
    @register("bare")
    class Bare(CarrierAdapter):
        """Implements nothing."""

    adapter = get_adapter("bare", {})
    request = PickupRequest(
        reference="r1",
        address=Address(name="A", postal_code="1", country="JP"),
        date=date(2026, 12, 1),
    )
    calls = [
        lambda: adapter.request_pickup(request),
        lambda: adapter.cancel_pickup("p1"),
        lambda: adapter.create_return_label(None),  # type: ignore[arg-type]
        lambda: adapter.track("T1"),
        lambda: adapter.parse_webhook({}, b"{}"),
    ]
    for call in calls:
        with pytest.raises(NotSupported, match="'bare' does not support") as raised:
            call()
        assert isinstance(raised.value, CarrierError)
        assert raised.value.transient is False
