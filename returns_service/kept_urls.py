"""The templates' ``url_for``: each address built once per app and kept.

A page links to the same few addresses request after request (the header's menu, the
style sheet, its forms' actions), and Flask builds each afresh: about 8 µs a link, 7 to 10
links a staff page. An address depends on the app's routes, the endpoint and values asked
for, the blueprint of a relative endpoint (``.name``), the address the service is served
under and, for a full address (``_external`` or a ``_scheme`` given), the host asked for:
each app keeps its own, under all the rest.

Built afresh, never kept: outside a request (an e-mail rendered by a job), with values
that cannot be a key, and in an app where a blueprint adds values to the addresses it
builds (``url_defaults``), which may read anything of the request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

from returns_service.kept_values import KeptValues

#: How many addresses an app keeps before they are all built afresh.
_KEPT_ADDRESSES = 4096
_EXTENSION_KEY = "kept_urls"


def init_app(app: Flask) -> None:
    """Have the app's templates build their links with :func:`kept_url_for`."""
    app.extensions[_EXTENSION_KEY] = KeptValues(_KEPT_ADDRESSES)
    app.jinja_env.globals["url_for"] = kept_url_for


def kept_url_for(endpoint: str, **values: Any) -> str:
    """``flask.url_for(endpoint, **values)``, built once and kept where it can be."""
    if not has_request_context() or any(current_app.url_default_functions.values()):
        return url_for(endpoint, **values)
    key = (
        endpoint,
        request.blueprint if endpoint.startswith(".") else None,
        request.script_root,
        request.host_url if values.get("_external") or values.get("_scheme") else None,
        tuple(values.items()),
    )
    try:
        hash(key)
    except TypeError:
        return url_for(endpoint, **values)
    built: KeptValues[str] = current_app.extensions[_EXTENSION_KEY]
    return built.get(key, lambda: url_for(endpoint, **values))
