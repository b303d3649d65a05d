"""JSON over HTTP for every integration: one place that classifies failures.

Network errors, timeouts, 429 and 5xx are transient (a retry may succeed: the outbox
retries with backoff); other 4xx answers are not. Credentials go in headers the caller
gives and never appear in an error message.
"""

from collections.abc import Callable, Mapping
from typing import Any

import requests

from returns_service.integrations.errors import IntegrationError

TIMEOUT_SECONDS = 15.0


class JsonClient:
    """Send JSON to one system's API and answer with the JSON it returns."""

    def __init__(
        self,
        *,
        system: str,
        base_url: str,
        headers: Mapping[str, str],
        auth: tuple[str, str] | None = None,
        timeout: float = TIMEOUT_SECONDS,
        error_detail: Callable[[Any], str | None] = lambda body: None,
    ) -> None:
        self.system = system
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._error_detail = error_detail
        self._session = requests.Session()
        self._session.auth = auth
        self._session.headers.update({"Accept": "application/json", **headers})

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` and return its JSON."""
        return self.send("GET", path, params=params)

    def post(self, path: str, payload: Any, headers: Mapping[str, str] | None = None) -> Any:
        """POST ``payload`` as JSON and return the JSON answer."""
        return self.send("POST", path, json=payload, headers=dict(headers or {}))

    def put(self, path: str, payload: Any) -> Any:
        """PUT ``payload`` as JSON and return the JSON answer."""
        return self.send("PUT", path, json=payload)

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request; raise :class:`IntegrationError` for anything but a 2xx."""
        what = f"{self.system} {method} {path}"
        try:
            response = self._session.request(
                method, self._base_url + path, timeout=self._timeout, **kwargs
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise IntegrationError(f"{what} failed: {type(exc).__name__}", transient=True) from exc
        except requests.RequestException as exc:
            raise IntegrationError(f"{what} failed: {type(exc).__name__}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if status >= 400:
            detail = self._error_detail(body) or response.reason
            raise IntegrationError(
                f"{what} answered {status}: {detail}",
                transient=status == 429 or status >= 500,
                status_code=status,
                retry_after=_seconds(response.headers.get("Retry-After")),
            )
        return body


def _seconds(raw: str | None) -> float | None:
    try:
        return float(raw) if raw else None
    except ValueError:
        return None
