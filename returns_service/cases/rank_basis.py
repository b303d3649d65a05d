"""The open cases' ranks worked out again when the shop's priority mapping changes.

The ranks kept on each case (``cases.ranks``) follow its signals as they change, under the
mapping of the process that writes them. The mapping is a setting: a process started with
another one works out every open case's ranks again, once, before it lists them. The
mapping they were worked out with is kept in the database (``RankBasis``), so that of
several processes with the same settings only the first does the work, and each asks the
database once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from returns_service.cases.case_states import CANCELLATION_OPEN, RETURN_OPEN, SUBSCRIPTION_OPEN
from returns_service.cases.models import RankBasis
from returns_service.cases.policy import CasePolicy
from returns_service.cases.ranks import (
    PARCEL_RANKED,
    RANKED,
    own_rank,
    parcel_rank,
    reasons_of,
)
from returns_service.extensions import db
from returns_service.orders.models import Shipment
from returns_service.portable_sql import insert_skipping_duplicates
from returns_service.returns.models import ReturnRequest

#: Cases worked out per round trip.
BATCH = 2_000
_OPEN = dict(zip(RANKED, (RETURN_OPEN, CANCELLATION_OPEN, SUBSCRIPTION_OPEN), strict=True))


#: The (database, mapping) pairs this process found the kept ranks worked out with.
confirmed: set[tuple[str, str]] = set()


def mapping_text(policy: CasePolicy) -> str:
    """The mapping as canonical JSON: the same mapping is the same text."""
    return json.dumps({k: sorted(v) for k, v in policy.priorities.items()}, sort_keys=True)


def ensure_current(policy: CasePolicy, now: datetime) -> None:
    """Work out every open case's ranks again if they were worked out with another mapping.

    In a transaction of its own, under the basis row's lock: processes started together
    with a new mapping do the work once.
    """
    mapping = mapping_text(policy)
    key = (db.engine.url.render_as_string(hide_password=True), mapping)
    if key in confirmed:
        return
    with db.engine.begin() as connection:
        connection.execute(
            insert_skipping_duplicates(db.session, RankBasis, ["id"]), {"id": 1, "mapping": ""}
        )
        kept = connection.scalar(
            select(RankBasis.mapping).where(RankBasis.id == 1).with_for_update()
        )
        if kept != mapping:
            for model in RANKED:
                _rerank_open(connection, policy, model)
            connection.execute(
                update(RankBasis).where(RankBasis.id == 1).values(mapping=mapping, refreshed_at=now)
            )
    confirmed.add(key)


def _rerank_open(connection: Connection, policy: CasePolicy, model: Any) -> None:
    reasons = model.line_reasons if model is ReturnRequest else model.reason
    table = model.__table__
    # Where the state moved meanwhile, the move's own flush ranked the case: left as it is.
    write = (
        update(table)
        .where(table.c.id == bindparam("case_id"), table.c.status == bindparam("seen_status"))
        .values(
            own_rank=bindparam("own"),
            parcel_rank=bindparam("parcel"),
            signal_rank=bindparam("signal"),
        )
    )
    last = 0
    while True:
        cases = connection.execute(
            select(model.id, model.order_id, model.status, reasons)
            .where(model.status.in_(_OPEN[model]), model.id > last)
            .order_by(model.id)
            .limit(BATCH)
        ).all()
        if not cases:
            return
        parcels: dict[int, list[Any]] = defaultdict(list)
        order_ids = {found.order_id for found in cases}
        for order_id, status in connection.execute(
            select(Shipment.order_id, Shipment.status).where(Shipment.order_id.in_(order_ids))
        ):
            parcels[order_id].append(status)
        rows = []
        for case_id, order_id, status, kept in cases:
            own = own_rank(policy, reasons_of(model, kept), status)
            parcel = parcel_rank(policy, parcels[order_id] if model in PARCEL_RANKED else [])
            rows.append(
                {
                    "case_id": case_id,
                    "seen_status": status,
                    "own": own,
                    "parcel": parcel,
                    "signal": min(own, parcel),
                }
            )
        connection.execute(write, rows)
        last = cases[-1].id
