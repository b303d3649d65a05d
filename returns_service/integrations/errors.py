"""Errors of calls to other systems; no Flask or SQLAlchemy here."""


class IntegrationError(Exception):
    """A call to another system failed; ``transient`` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.status_code = status_code
        self.retry_after = retry_after


class NotSupported(IntegrationError):
    """The system does not offer this operation."""
