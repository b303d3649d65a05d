"""What every HTML page shares: its language, its form protection, its security headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, request, session
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    gettext,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context

from returns_service import kept_urls, page_texts
from returns_service.config import LOCALES
from returns_service.extensions import babel, csrf, db
from returns_service.kept_values import KeptValues
from returns_service.labels import REASON_LABELS, STATUS_LABELS, code_label, event_label
from returns_service.notifications.formatting import format_amount

#: Where the chosen language is kept: staff choose theirs apart from the customer pages'.
_LANGUAGE_KEYS = {"staff_pages": "staff_lang"}

#: Every HTML answer: no framing, nothing from elsewhere, no type guessing.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
#: The API's Swagger UI loads its own copy of its script and styles and starts with an
#: inline script; it gets that and nothing more (no network beyond this service).
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and Flask-WTF, have templates keep the addresses they link to and
    look their texts up (:mod:`~returns_service.page_texts`), and add the headers to every
    HTML answer."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIMEZONE"])
    # The forms keep the field name the pages always had; a token lives as long as the
    # session, so a form left open during a long shift still goes through.
    app.config.setdefault("WTF_CSRF_FIELD_NAME", "csrf")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=_shop_timezone)
    csrf.init_app(app)
    app.jinja_env.filters["money"] = _page_money
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["event_label"] = event_label
    app.jinja_env.filters["label"] = page_words(code_label)
    kept_urls.init_app(app)
    page_texts.init_app(app)
    app.after_request(_security_headers)


def protect_forms(blueprint: Blueprint) -> None:
    """Refuse (400) every POST to the blueprint's pages without the session's form token;
    give its pages' forms the token as signed once (see :func:`_form_token_signed_once`)."""

    @blueprint.before_request
    def _check_token() -> None:
        if request.method == "POST":
            csrf.protect()
        _form_token_signed_once()


def read_only_when_showing(blueprint: Blueprint) -> None:
    """Have a page opened (``GET``, ``HEAD``) read without a transaction and write nothing
    (:meth:`Database.read_only_session`); a form sent runs in one transaction."""

    @blueprint.before_request
    def _read_only() -> None:
        if request.method in ("GET", "HEAD"):
            db.read_only_session()


def _security_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        docs = request.path.startswith(current_app.config["OPENAPI_URL_PREFIX"])
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        if docs:
            response.headers["Content-Security-Policy"] = _DOCS_CSP
        elif origin := _logo_origin():
            response.headers["Content-Security-Policy"] += f"; img-src 'self' {origin}"
    return response


def _logo_origin() -> str:
    """The origin of the shop's logo, where it is served from elsewhere; else empty."""
    parts = urlsplit(current_app.config.get("SHOP_LOGO_URL", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def select_locale() -> str:
    """The page's language: ``?lang=``, then the one chosen before, the staff member's own,
    then the browser's preference, then the shop's default."""
    key = _LANGUAGE_KEYS.get(request.blueprint or "", "lang")
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session[key] = chosen
    if session.get(key) in LOCALES:
        return session[key]
    own = getattr(current_user, "locale", None)
    if own in LOCALES:
        return own
    return request.accept_languages.best_match(
        LOCALES, default=current_app.config["DEFAULT_LOCALE"]
    )


def _shop_timezone() -> str:
    # Read per request, so a changed setting (or a test's) takes effect at once.
    return current_app.config["TIMEZONE"]


def language() -> str:
    """The language of this page, as ``ja`` or ``en``."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def money(amount: int, currency: str) -> str:
    """Minor units written for people in the page's language: ``￥1,200``, ``$12.50``."""
    return _money(amount, currency, language())


@pass_context
def _page_money(context: Context, amount: int, currency: str) -> str:
    """The templates' ``money``: the page's language is the ``lang`` its context holds
    (``page_context``), not looked up again for each of a page's sums."""
    return _money(amount, currency, context.get("lang") or language())


def page_words(lookup: Callable[[str], str]) -> Callable[..., str]:
    """A template filter giving ``lookup(code)`` in the page's language (the ``lang`` its
    context holds), each code's words looked up once per language."""

    @pass_context
    def words(context: Context, code: str) -> str:
        return in_language(lookup, context.get("lang") or language(), code)

    return words


@lru_cache(maxsize=4096)
def in_language(lookup: Callable[[str], str], locale: str, code: str) -> str:
    """``lookup(code)``, asked first while a page in ``locale`` is served: the catalogues do
    not change while the app runs, and a lazy text is translated again at every use."""
    return lookup(code)


@lru_cache(maxsize=4096)
def _money(amount: int, currency: str, locale: str) -> str:
    """``money`` in ``locale``, as an e-mail writes it, worked out once: a page shows the
    same sums (an order's total, a zero) several times, and Babel's locale data does not
    change."""
    return format_amount(amount, currency, locale)


def local_datetime(moment: datetime) -> str:
    """A point in time in the shop's time zone, short: ``2026/12/02 9:30``."""
    return format_datetime(moment, "short")


def local_date(value: date | datetime) -> str:
    """A calendar date, in the shop's time zone if it is a point in time."""
    return format_date(value, "medium")


def form_expired() -> str:
    """The words for a form whose token is missing or from another session."""
    return gettext("This form has expired. Please open the page again.")


def not_done(refused: str, detail: str) -> str:
    """A refusal for a page: the operation's own words follow only on English pages, as
    the operations explain in English and a Japanese page does not mix that in."""
    return f"{refused} ({detail})" if language() == "en" else refused


#: Each session's form token as Flask-WTF signed it, by the signing key and the session's
#: own token (the value kept in its cookie).
_SIGNED_FORM_TOKENS: KeptValues[str] = KeptValues(4096)


def _form_token_signed_once() -> None:
    """Have the page's forms (``csrf_token()``, Flask-WTF's forms) carry the session's form
    token as signed once, by the first page that found it in the session, rather than
    signed again for every page; run before the view, which may build its forms first.

    Signing it (a serializer built, its key derived, a timestamp, an HMAC) cost more than
    the rest of a small page's session handling. A token that never expires
    (``WTF_CSRF_TIME_LIMIT`` unset, as the pages set it) is as good signed once as signed
    again; one with a time limit is signed afresh, as Flask-WTF does.
    """
    config = current_app.config
    name = config["WTF_CSRF_FIELD_NAME"]
    own = session.get(name)
    if own is None or config["WTF_CSRF_TIME_LIMIT"] is not None or name in g:
        return
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    setattr(g, name, _SIGNED_FORM_TOKENS.get((secret, own), generate_csrf))


def page_context() -> dict[str, Any]:
    """What every page template may use."""
    return {
        page_texts.TEXTS: page_texts.page_texts(),
        "lang": language(),
        "other_lang": "en" if language() == "ja" else "ja",
        "shop_name": current_app.config["SHOP_NAME"],
        "brand": {
            "logo_url": current_app.config.get("SHOP_LOGO_URL", ""),
            "policy_url": current_app.config.get("RETURN_POLICY_URL", ""),
        },
        "reasons": REASON_LABELS,
        "statuses": STATUS_LABELS,
    }
