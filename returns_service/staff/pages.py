"""The staff pages: sign in, work the review queue, receive and inspect, change the rules.

The pages call the same operations as the API and write ``staff:<email>`` on timelines;
every form carries the session's form token. Each stage lives in its own module and is
added to the one blueprint here.
"""

from __future__ import annotations

from returns_service.staff import (
    admin_integrations,
    admin_jobs,
    admin_tokens,
    admin_users,
    admin_webhooks,
    cancellation_pages,
    case_actions,
    mailbox,
    numbers,
    offer_pages,
    photos,
    queue,
    return_actions,
    rules_pages,
    sign_in,
    subscription_pages,
)
from returns_service.staff.views import bp

for _stage in (
    sign_in,
    queue,
    return_actions,
    cancellation_pages,
    subscription_pages,
    case_actions,
    photos,
    rules_pages,
    offer_pages,
    numbers,
    admin_users,
    admin_tokens,
    admin_webhooks,
    admin_jobs,
    admin_integrations,
    mailbox,
):
    _stage.register(bp)

__all__ = ["bp"]
