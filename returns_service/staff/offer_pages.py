"""Staff pages: the offers a subscription's cancellation is met with, per reason."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import current_staff, staff_principal, staff_required
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.pages import language
from returns_service.staff.views import render
from returns_service.subscriptions.models import CancelReason, OfferType
from returns_service.subscriptions.offers import (
    OfferListSchema,
    offers_for,
    replace_offers,
    reset_offers,
    title,
)

REASON_LABELS = {
    CancelReason.TOO_MUCH_PRODUCT: _l("Too much product"),
    CancelReason.DOES_NOT_SUIT: _l("It does not suit them"),
    CancelReason.TOO_EXPENSIVE: _l("Too expensive"),
    CancelReason.MOVING: _l("Moving"),
    CancelReason.OTHER: _l("Other"),
}
TYPE_LABELS = {
    OfferType.SKIP: _l("Skip the next delivery"),
    OfferType.PAUSE: _l("Pause deliveries"),
    OfferType.SWITCH: _l("Switch product"),
    OfferType.DISCOUNT: _l("Discount"),
}
#: What to correct, by the field a problem concerns.
FIELD_PROBLEMS = {
    "id": _l("Use 1 to 40 lower-case letters, digits, _ or -, once per reason."),
    "type": _l("Choose a kind of offer."),
    "label": _l("Give the title in both Japanese and English, or neither."),
    "months": _l("Enter the pause lengths in months (1 to 12), separated by commas."),
    "percent": _l("Enter a percentage from 1 to 100."),
    "deliveries": _l("Enter a number of deliveries from 1 to 12."),
    "products": _l("Enter one product a line: its SKU, a space, then its name."),
    "offers": _l("Up to 10 offers, each id once."),
}


def offers_from_form(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """The offers a reason's form describes, each with the parameters of its type only."""
    offers = []
    for index in range(min(int(form.get("offer_count", "0") or 0), 20)):
        prefix = f"offers-{index}-"
        kind = form.get(prefix + "type", "")
        offer: dict[str, Any] = {"id": form.get(prefix + "id", "").strip(), "type": kind}
        ja = form.get(prefix + "label_ja", "").strip()
        en = form.get(prefix + "label_en", "").strip()
        if ja or en:
            offer["label"] = {"ja": ja, "en": en}
        if kind == OfferType.PAUSE:
            offer["months"] = _numbers(form.get(prefix + "months", ""))
        elif kind == OfferType.DISCOUNT:
            offer["percent"] = _number(form.get(prefix + "percent", ""))
            offer["deliveries"] = _number(form.get(prefix + "deliveries", "") or "1")
        elif kind == OfferType.SWITCH:
            lines = form.get(prefix + "products", "").splitlines()
            offer["products"] = [
                {"sku": sku, "name": name.strip()}
                for sku, _, name in (line.strip().partition(" ") for line in lines)
                if sku
            ]
        offers.append(offer)
    return offers


def _number(text: str) -> Any:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def _numbers(text: str) -> list[Any]:
    return [_number(part) for part in text.replace("、", ",").split(",") if part.strip()]


def _offers_page(status: int = 200, **context: Any) -> ResponseReturnValue:
    sections = []
    for reason in CancelReason:
        offers, chosen = offers_for(db.session, reason)
        edited = context.get("edited") == reason
        sections.append(
            {
                "reason": reason.value,
                "label": str(REASON_LABELS[reason]),
                "offers": context["offers"] if edited else offers,
                "problems": context.get("problems", {}) if edited else {},
                "customised": chosen is not None,
                "updated": chosen,
            }
        )
    return render(
        "staff/offers.html",
        status,
        sections=sections,
        types=[(t.value, str(label)) for t, label in TYPE_LABELS.items()],
        title_of=lambda offer: _title(offer),
        notice=context.get("notice", ""),
        error=context.get("error", ""),
    )


def _title(offer: dict[str, Any]) -> str:
    try:
        return title(offer, language())
    except (KeyError, TypeError, IndexError, ValueError):
        return ""


@staff_required(Role.ADMIN)
def offers_page() -> ResponseReturnValue:
    """Each cancellation reason and the offers its customers see."""
    saved = request.args.get("saved")
    notice = gettext("The offers are saved.") if saved else ""
    return _offers_page(notice=notice)


def _problems(messages: Any) -> dict[int | str, list[str]]:
    """Marshmallow's errors as texts to correct, by offer index (or "offers")."""
    found: dict[int | str, list[str]] = {}
    inner = messages.get("offers", messages) if isinstance(messages, dict) else messages
    if isinstance(inner, dict):
        for index, fields in inner.items():
            names = fields.keys() if isinstance(fields, dict) else ["offers"]
            key = index if isinstance(index, int) else "offers"
            found[key] = [str(FIELD_PROBLEMS.get(name, FIELD_PROBLEMS["offers"])) for name in names]
    else:
        found["offers"] = [str(FIELD_PROBLEMS["offers"])]
    return found


@staff_required(Role.ADMIN)
def save_offers(reason: str) -> ResponseReturnValue:
    """A reason's form: add or remove an offer row, save the offers, or go back to defaults."""
    try:
        which = CancelReason(reason)
    except ValueError:
        raise NotFound(f"no cancellation reason {reason!r}") from None
    offers = offers_from_form(request.form)
    action = request.form.get("do", "save")
    if action == "add":
        offers.append({"id": f"offer_{len(offers) + 1}", "type": OfferType.SKIP.value})
        return _offers_page(edited=which, offers=offers)
    if action.startswith("remove:") and action[7:].isdigit():
        if int(action[7:]) < len(offers):
            offers.pop(int(action[7:]))
        return _offers_page(edited=which, offers=offers)
    actor = staff_principal(current_staff()).actor
    if action == "reset":
        reset_offers(db.session, which)
    else:
        try:
            loaded = OfferListSchema().load({"offers": offers})
        except ValidationError as error:
            return _offers_page(
                422,
                edited=which,
                offers=offers,
                problems=_problems(error.messages),
                error=gettext("The offers have mistakes."),
            )
        replace_offers(db.session, utcnow(), which, loaded["offers"], actor)
    db.session.commit()
    return redirect(url_for("staff_pages.offers_page", saved=which.value) + f"#{which.value}")


def register(bp: Blueprint) -> None:
    """Add the offers pages to the staff blueprint."""
    bp.add_url_rule("/offers", view_func=offers_page, methods=["GET"])
    bp.add_url_rule("/offers/<reason>", view_func=save_offers, methods=["POST"])
