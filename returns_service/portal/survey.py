"""The survey's answer page: one click on a score in the e-mail, no sign-in.

The link opens a page whose form sends the answer (``static/survey.js`` submits it at once;
without scripts the customer presses its button). The page is in the case's language
unless ``?lang=`` asks for the other.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from returns_service.cases import survey
from returns_service.cases.operations import find_case
from returns_service.config import LOCALES
from returns_service.errors import Conflict, InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.pages import form_expired, page_context, protect_forms

bp = Blueprint("survey", __name__, url_prefix="/survey")
protect_forms(bp)

#: What the page says after a POST, by outcome.
OUTCOMES = {
    "thanks": _l("Thank you for your answer. It helps us do better."),
    "answered": _l("This survey has been answered already. Thank you."),
    "invalid": _l("This link is not valid. Please check the link in the e-mail."),
    "bad_score": _l("That score cannot be chosen. Please pick one from the e-mail."),
}


def _language(token: str) -> str:
    """``?lang=`` if given, else the language of the case the token names."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        return chosen
    try:
        case = find_case(db.session, *survey.read_token(current_app.config["SECRET_KEY"], token))
    except NotFound:
        return current_app.config["DEFAULT_LOCALE"]
    return case.locale if case.locale in LOCALES else current_app.config["DEFAULT_LOCALE"]


def _page(
    token: str, score: int, state: str, status: int = 200, error: str = ""
) -> ResponseReturnValue:
    with force_locale(_language(token)):
        html = render_template(
            "portal/survey.html",
            **page_context(),
            score=score,
            state=state,
            outcome=OUTCOMES.get(state, ""),
            error=error,
        )
    return html, status


@bp.errorhandler(CSRFError)
def form_without_token(error: CSRFError) -> ResponseReturnValue:
    """An answer sent without this browser's form token: nothing is recorded."""
    token, score = request.view_args["token"], request.view_args["score"]
    return _page(token, score, "confirm", 400, error=form_expired())


@bp.get("/<token>/<int:score>")
def confirm(token: str, score: int) -> ResponseReturnValue:
    """The page the e-mail's link opens; its form sends the answer (see ``cases.survey``)."""
    return _page(token, score, "confirm")


@bp.post("/<token>/<int:score>")
def answer(token: str, score: int) -> ResponseReturnValue:
    """Record the answer, once."""
    secret = current_app.config["SECRET_KEY"]
    try:
        survey.answer_survey(db.session, utcnow(), secret, token, score)
    except NotFound:
        db.session.rollback()
        return _page(token, score, "invalid", 404)
    except Conflict:
        db.session.rollback()
        return _page(token, score, "answered", 409)
    except InvalidInput:
        db.session.rollback()
        return _page(token, score, "bad_score", 422)
    db.session.commit()
    return _page(token, score, "thanks")
