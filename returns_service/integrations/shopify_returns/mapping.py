"""Shopify Returns in the GraphQL Admin API: the documents we send and how answers read.

Follows ``FACTS__shopify_returns_graphql.md`` of the shared fixtures (API 2026-01). No Flask,
SQLAlchemy or database here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Our return reasons as Shopify's ``ReturnReason`` enum (deprecated in 2026-01 in favour of
#: reason definitions, still accepted); anything else is OTHER with our code in the note.
REASONS = {
    "SIZE_TOO_SMALL": "SIZE_TOO_SMALL",
    "SIZE_TOO_LARGE": "SIZE_TOO_LARGE",
    "DEFECTIVE": "DEFECTIVE",
    "NOT_AS_DESCRIBED": "NOT_AS_DESCRIBED",
    "WRONG_ITEM": "WRONG_ITEM",
    "STYLE": "STYLE",
    "COLOR": "COLOR",
    "UNWANTED": "UNWANTED",
    "CHANGED_MIND": "UNWANTED",
}
#: Where the Shopify return should be for each of our return's states; None: leave it.
TARGETS = {
    "review": "REQUESTED",
    "approved": "OPEN",
    "awaiting_parcel": "OPEN",
    "in_transit": "OPEN",
    "received": "OPEN",
    "inspected": "OPEN",
    "completed": "CLOSED",
    "rejected": "DECLINED",
}

FULFILLMENT_LINES = """
query ReturnableLines($id: ID!) {
  order(id: $id) {
    fulfillments(first: 50) {
      fulfillmentLineItems(first: 100) {
        edges { node { id quantity lineItem { id } } }
      }
    }
  }
}
"""
RETURN_REQUEST = """
mutation RequestReturn($input: ReturnRequestInput!) {
  returnRequest(input: $input) {
    return { id name status }
    userErrors { field message code }
  }
}
"""
RETURN_APPROVE = """
mutation ApproveReturn($input: ReturnApproveRequestInput!) {
  returnApproveRequest(input: $input) {
    return { id status }
    userErrors { field message code }
  }
}
"""
RETURN_DECLINE = """
mutation DeclineReturn($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) {
    return { id status }
    userErrors { field message code }
  }
}
"""
RETURN_CLOSE = """
mutation CloseReturn($id: ID!) {
  returnClose(id: $id) {
    return { id status }
    userErrors { field message code }
  }
}
"""
RETURN_STATUS = """
query ReturnStatus($id: ID!) { return(id: $id) { id name status } }
"""


@dataclass(frozen=True)
class ReturnedLine:
    """One of our return's lines: the Shopify line item, how many, why."""

    line_item_id: str
    quantity: int
    reason: str
    note: str = ""


class UserErrors(ValueError):
    """Shopify refused the mutation (``userErrors``); ``codes`` tells which way."""

    def __init__(self, message: str, codes: Iterable[str]) -> None:
        super().__init__(message)
        self.codes = frozenset(codes)


def gid(kind: str, legacy_id: str | int) -> str:
    """A global id such as ``gid://shopify/Order/450789469``; a gid is left as it is."""
    text = str(legacy_id)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


def fulfillment_line_ids(data: Mapping[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """Order line item gid -> its fulfillment line items (gid, quantity), from the query."""
    found: dict[str, list[tuple[str, int]]] = {}
    order = data.get("order") or {}
    for fulfillment in order.get("fulfillments") or []:
        for edge in (fulfillment.get("fulfillmentLineItems") or {}).get("edges") or []:
            node = edge["node"]
            found.setdefault(node["lineItem"]["id"], []).append((node["id"], node["quantity"]))
    return found


def return_lines(
    lines: Iterable[ReturnedLine], fulfilled: Mapping[str, list[tuple[str, int]]]
) -> list[dict[str, Any]]:
    """``returnLineItems`` pointing at fulfillment line items, split across fulfillments."""
    items = []
    for line in lines:
        wanted = line.quantity
        for fulfillment_line_id, quantity in fulfilled.get(gid("LineItem", line.line_item_id), []):
            if wanted <= 0:
                break
            take = min(wanted, quantity)
            wanted -= take
            reason = REASONS.get(line.reason, "OTHER")
            note = line.note or ("" if reason != "OTHER" else line.reason)
            items.append(
                {
                    "fulfillmentLineItemId": fulfillment_line_id,
                    "quantity": take,
                    "returnReason": reason,
                    "customerNote": note[:255],
                }
            )
        if wanted > 0:
            raise UserErrors(
                f"line item {line.line_item_id} has no fulfilled units left to return", ()
            )
    return items


def request_variables(order_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Variables of ``returnRequest``."""
    return {"input": {"orderId": gid("Order", order_id), "returnLineItems": items}}


def payload(body: Any, field: str) -> dict[str, Any]:
    """The mutation's or query's result, after checking ``errors`` and ``userErrors``."""
    if not isinstance(body, Mapping):
        raise ValueError("Shopify answered without a JSON object")
    if body.get("errors"):
        messages = "; ".join(str(e.get("message", e)) for e in body["errors"])
        raise ValueError(f"Shopify GraphQL errors: {messages}")
    result = (body.get("data") or {}).get(field)
    if result is None:
        raise ValueError(f"Shopify answered no {field}")
    user_errors = result.get("userErrors") or [] if isinstance(result, Mapping) else []
    if user_errors:
        text = "; ".join(f"{e.get('code') or ''} {e.get('message')}".strip() for e in user_errors)
        raise UserErrors(
            f"Shopify refused {field}: {text}", (e.get("code") or "" for e in user_errors)
        )
    return dict(result)
