"""The survey's answer page: one click on a score in the e-mail, no sign-in."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from returns_service.cases import survey
from returns_service.cases.operations import find_case
from returns_service.errors import Conflict, InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow

bp = Blueprint("survey", __name__, url_prefix="/survey")

TEXTS = {
    "ja": {
        "title": "アンケート",
        "sending": "ご回答を送信しています…",
        "send": "この評価で回答する",
        "thanks": "ご回答いただき、ありがとうございました。今後のサービス向上に役立てます。",
        "answered": "このアンケートにはすでにご回答いただいています。ありがとうございました。",
        "invalid": "このリンクは無効です。メールのリンクをもう一度お確かめください。",
        "bad_score": "選べない評価です。メールのリンクからお選びください。",
        "score": "評価",
    },
    "en": {
        "title": "Survey",
        "sending": "Sending your answer…",
        "send": "Answer with this score",
        "thanks": "Thank you for your answer. It helps us do better.",
        "answered": "This survey has been answered already. Thank you.",
        "invalid": "This link is not valid. Please check the link in the e-mail.",
        "bad_score": "That score cannot be chosen. Please pick one from the e-mail.",
        "score": "Score",
    },
}


def _locale(token: str) -> str:
    try:
        case = find_case(db.session, *survey.read_token(current_app.config["SECRET_KEY"], token))
    except NotFound:
        return current_app.config["DEFAULT_LOCALE"]
    return case.locale if case.locale in TEXTS else "ja"


def _page(token: str, score: int, state: str, status: int = 200) -> ResponseReturnValue:
    lang = _locale(token)
    return (
        render_template(
            "survey/answer.html",
            t=TEXTS[lang],
            lang=lang,
            score=score,
            state=state,
            shop_name=current_app.config["SHOP_NAME"],
        ),
        status,
    )


@bp.get("/<token>/<int:score>")
def confirm(token: str, score: int) -> ResponseReturnValue:
    """The page the e-mail's link opens; it sends the answer itself (see ``cases.survey``)."""
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
