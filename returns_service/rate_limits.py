"""Flask-Limiter, bound with the service's settings and checked only where a view asks.

The service limits a few views (signing in, looking an order up) with ``@limiter.limit``,
whose wrapper checks the limit when the view is called. Flask-Limiter also adds a check
before every request, for limits on every request (default, application or meta limits):
the service sets none, and that check cost every request about a tenth of a millisecond.
``init_app`` takes it out again unless the app's settings ask for such a limit (a
``RATELIMIT_DEFAULT`` given to ``create_app``, say). The limiter built in ``extensions``
sets none in code, and no blueprint carries a limit of its own, which would need the check
too (``tests/test_rate_limits.py`` fails if either changes).
"""

from __future__ import annotations

from flask import Flask

from returns_service.extensions import limiter

#: Flask-Limiter's settings for limits that apply to every request.
_EVERY_REQUEST_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def init_app(app: Flask) -> None:
    """Bind the limiter: counts in Redis under the service's prefix, in this process while
    Redis is away (rather than refuse sign-in), and the limit's headers on limited views."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["REDIS_KEY_PREFIX"] + "limits")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    checks = app.before_request_funcs.setdefault(None, [])
    before = list(checks)
    limiter.init_app(app)
    if not limits_every_request(app):
        checks[:] = [check for check in checks if check in before]


def limits_every_request(app: Flask) -> bool:
    """Whether the settings ask for a limit on every request."""
    return any(app.config.get(name) for name in _EVERY_REQUEST_SETTINGS)
