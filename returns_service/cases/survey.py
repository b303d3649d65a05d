"""The satisfaction survey: one question e-mailed when a case closes, answered once by a click.

Each score in the e-mail is a link carrying a signed token that names the case, so the
customer answers without signing in; the first answer stands. The link opens a page that
sends the answer from the browser (a POST), so mail scanners that fetch every link in a
message do not answer on the customer's behalf.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from returns_service.cases.models import CaseFile
from returns_service.cases.operations import case_file
from returns_service.cases.read_model import (
    CANCELLATION_CLOSED,
    SUBSCRIPTION_CLOSED,
    Case,
    load_cases,
)
from returns_service.errors import Conflict, InvalidInput, NotFound
from returns_service.notifications.email import email_customer
from returns_service.orders.models import Order
from returns_service.returns.models import ReturnRequest, ReturnStatus
from returns_service.subscriptions.models import SubscriptionCancellation

SALT = "case-survey"
#: Cases that closed longer ago than this when the survey first runs are not surveyed.
LOOKBACK = timedelta(days=7)
SCORES = {"csat": range(1, 6), "nps": range(0, 11)}
_RETURN_SURVEYED = (ReturnStatus.COMPLETED, ReturnStatus.REJECTED)


def survey_token(secret: str, case: Case) -> str:
    """The signed token in a case's answer links."""
    return URLSafeSerializer(secret, salt=SALT).dumps([case.subject_type, case.subject_id])


def read_token(secret: str, token: str) -> tuple[str, int]:
    """The case a token names; ``NotFound`` for a token we did not sign."""
    try:
        subject_type, subject_id = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("this survey link is not valid") from None
    return str(subject_type), int(subject_id)


def _closed_between(session: Session, since: datetime, until: datetime) -> list[tuple[str, int]]:
    returns = select(ReturnRequest.id).where(
        ReturnRequest.status.in_(_RETURN_SURVEYED),
        ReturnRequest.updated_at >= since,
        ReturnRequest.updated_at < until,
    )
    cancellations = select(Cancellation.id).where(
        Cancellation.status.in_(CANCELLATION_CLOSED),
        Cancellation.settled_at >= since,
        Cancellation.settled_at < until,
    )
    flows = select(SubscriptionCancellation.id).where(
        SubscriptionCancellation.status.in_(SUBSCRIPTION_CLOSED),
        SubscriptionCancellation.closed_at >= since,
        SubscriptionCancellation.closed_at < until,
    )
    return (
        [("return", i) for i in session.scalars(returns)]
        + [("cancellation", i) for i in session.scalars(cancellations)]
        + [("subscription", i) for i in session.scalars(flows)]
    )


def send_surveys(
    session: Session,
    now: datetime,
    *,
    secret: str,
    public_url: str,
    scale: str,
    delay: timedelta,
) -> list[Case]:
    """E-mail the survey for every case closed at least ``delay`` ago; once per case."""
    subjects = _closed_between(session, now - LOOKBACK, now - delay)
    if not subjects:
        return []
    sent = []
    for case in load_cases(session, include_closed=True, subjects=subjects):
        if case.file is not None and case.file.survey_sent_at is not None:
            continue
        record = case_file(session, case, now, lock=True)
        if record.survey_sent_at is not None:  # another worker sent it meanwhile
            continue
        token = survey_token(secret, case)
        links = [
            {"score": score, "url": f"{public_url.rstrip('/')}/survey/{token}/{score}"}
            for score in SCORES[scale]
        ]
        order = session.get(Order, case.order_id)
        email_customer(
            session,
            now,
            order,
            kind="satisfaction_survey",
            locale=case.locale,
            context={"reference": case.reference, "scale": scale, "links": links},
            subject_type=case.subject_type,
            subject_id=case.subject_id,
        )
        record.survey_scale = scale
        record.survey_sent_at = now
        sent.append(case)
    return sent


def answer_survey(session: Session, now: datetime, secret: str, token: str, score: int) -> CaseFile:
    """Record the customer's one answer; a second one is refused with ``Conflict``."""
    subject_type, subject_id = read_token(secret, token)
    record = session.scalar(
        select(CaseFile)
        .where(CaseFile.subject_type == subject_type, CaseFile.subject_id == subject_id)
        .with_for_update()
    )
    if record is None or record.survey_sent_at is None or record.survey_scale is None:
        raise NotFound("this survey link is not valid")
    if score not in SCORES[record.survey_scale]:
        allowed = SCORES[record.survey_scale]
        raise InvalidInput(f"a score is from {allowed[0]} to {allowed[-1]}", field="score")
    if record.survey_score is not None:
        raise Conflict("this survey has been answered already", field="score")
    record.survey_score = score
    record.survey_answered_at = now
    return record
