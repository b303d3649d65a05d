"""Which states of each kind of case wait on the shop, which close it, and which are open."""

from __future__ import annotations

from returns_service.cancellations.models import CancellationStatus
from returns_service.returns.models import ReturnStatus
from returns_service.subscriptions.models import FlowStatus

_R, _C, _F = ReturnStatus, CancellationStatus, FlowStatus
RETURN_UNDECIDED = (_R.REQUESTED, _R.REVIEW)
RETURN_CLOSED = (_R.REJECTED, _R.COMPLETED, _R.CANCELLED, _R.EXPIRED)
CANCELLATION_UNDECIDED = (_C.REQUESTED, _C.REVIEW, _C.PENDING_STOP)
CANCELLATION_CLOSED = (_C.CANCELLED, _C.REFUSED, _C.REJECTED)
SUBSCRIPTION_CLOSED = (_F.SAVED, _F.CANCELLED)

#: The states the desk works on, named one by one: ``IN`` reads an index, ``NOT IN`` not.
RETURN_OPEN = tuple(s for s in ReturnStatus if s not in RETURN_CLOSED)
CANCELLATION_OPEN = tuple(s for s in CancellationStatus if s not in CANCELLATION_CLOSED)
SUBSCRIPTION_OPEN = (_F.OFFERED,)
