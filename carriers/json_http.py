"""A small JSON-over-HTTP client that turns every failure into a :class:`CarrierError`."""

from collections.abc import Callable
from typing import Any

import requests

from carriers.errors import CarrierError


class JsonHttpClient:
    """Send JSON to one carrier API and classify failures as transient or not.

    Network errors, timeouts, 429 and 5xx are transient (a retry may succeed); other
    4xx answers are not.
    """

    def __init__(
        self,
        *,
        carrier: str,
        base_url: str,
        timeout: float,
        auth: tuple[str, str] | None = None,
        error_detail: Callable[[Any], str | None] = lambda body: None,
    ) -> None:
        self._carrier = carrier
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._error_detail = error_detail
        self._session = requests.Session()
        self._session.auth = auth
        self._session.headers["Accept"] = "application/json"

    def get(self, path: str) -> dict[str, Any]:
        """GET ``path`` and return the JSON object it answers with."""
        return self._send("GET", path)

    def post(
        self, path: str, payload: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """POST ``payload`` as JSON to ``path``, with an ``Idempotency-Key`` when given."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self._send("POST", path, json=payload, headers=headers)

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        what = f"{self._carrier} {method} {path}"
        try:
            response = self._session.request(
                method, self._base_url + path, timeout=self._timeout, **kwargs
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise CarrierError(f"{what} failed: {exc}", transient=True) from exc
        except requests.RequestException as exc:
            # A malformed URL or similar: the configuration is wrong, retrying will not help.
            raise CarrierError(f"{what} failed: {exc}") from exc
        body = _json_or_none(response)
        status = response.status_code
        if status >= 400:
            detail = self._error_detail(body) or response.reason
            raise CarrierError(
                f"{what} answered {status}: {detail}",
                transient=status == 429 or status >= 500,
                status_code=status,
            )
        if not isinstance(body, dict):
            raise CarrierError(
                f"{what} answered {status} without a JSON object", status_code=status
            )
        return body


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
