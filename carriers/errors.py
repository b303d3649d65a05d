"""Errors raised by carrier adapters."""


class CarrierError(Exception):
    """A carrier call failed; ``transient`` says whether trying again may succeed."""

    def __init__(self, message: str, *, transient: bool = False, status_code: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status_code = status_code


class NotSupported(CarrierError):
    """The adapter's carrier does not offer this operation."""


class WebhookSignatureError(CarrierError):
    """A webhook's signature is missing or does not match the shared secret."""
