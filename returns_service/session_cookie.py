"""Flask's signed session cookie, its serializer built once per secret key and each cookie
read once while it is valid."""

from __future__ import annotations

import copy
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: How many cookies read are kept before they are all read afresh.
_REMEMBERED_COOKIES = 4096


class SessionCookies(SecureCookieSessionInterface):
    """Flask's cookie sessions, unchanged but for two things done once rather than at every
    request.

    - The serializer: Flask builds one to read and one to write every request's cookie. It
      depends on nothing but the keys, so it is kept per set of keys, and a changed key (or
      fallback) gets its own.
    - Reading a cookie: a browser sends the same cookie with every page, photo and form
      until the session changes, and checking its signature and decoding it cost more than
      the rest of a small page's session handling. What a cookie holds cannot change (it is
      the session), so each is read once per serializer and kept until the moment it
      expires, as the check of its age would then refuse it. Each request gets its own copy.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer | None] = {}
        #: (serializer, cookie, max age) -> (the moment it expires, what it holds).
        self._read: dict[tuple[object, str, int], tuple[float, dict]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current secret key and fallbacks."""
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The session the request's cookie holds (a new one where it has none, or one not
        signed by these keys, or expired), as Flask's own reads it."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (serializer, cookie, max_age)
        kept = self._read.get(key)
        if kept is None or kept[0] <= time.time():
            try:
                data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if len(self._read) >= _REMEMBERED_COOKIES:
                self._read.clear()
            kept = self._read[key] = (signed_at.timestamp() + max_age, data)
        return self.session_class(_copied(kept[1]))


def _copied(data: dict) -> dict:
    """A copy of a session's values a request may change without changing the kept ones:
    nested lists and mappings (flashed messages) copied too."""
    return {
        name: copy.deepcopy(value) if isinstance(value, list | dict) else value
        for name, value in data.items()
    }
