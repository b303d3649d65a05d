"""Schemas of the webhook admin API."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from returns_service.compiled_schemas import Schema
from returns_service.notifications.webhooks import EVENT_PATTERN
from returns_service.schemas import Text

URL = validate.URL(schemes={"http", "https"}, require_tld=False, error="must be an http(s) URL")
EVENT = validate.Regexp(EVENT_PATTERN, error="must be an event name like 'return.approved'")


class WebhookEndpointCreateSchema(Schema):
    """A new endpoint; the secret is generated when not given."""

    url = Text(required=True, validate=[validate.Length(max=2000), URL])
    events = fields.List(Text(validate=EVENT), load_default=list)
    description = Text(load_default="", validate=validate.Length(max=200))
    active = fields.Boolean(load_default=True)
    secret = Text(load_default=None, validate=validate.Length(min=16, max=128))

    @post_load
    def _unique_events(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "events" in data:
            data["events"] = sorted(set(data["events"]))
        return data


class WebhookEndpointUpdateSchema(WebhookEndpointCreateSchema):
    """Changes to an endpoint: fields left out stay as they are."""

    url = Text(validate=[validate.Length(max=2000), URL])
    events = fields.List(Text(validate=EVENT))
    description = Text(validate=validate.Length(max=200))
    active = fields.Boolean()
    secret = Text(validate=validate.Length(min=16, max=128))


class WebhookEndpointOut(Schema):
    """An endpoint as admins see it; its secret is never shown again after creation."""

    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String(), metadata={"description": "Empty: every event"})
    description = fields.String()
    active = fields.Boolean()
    created_at = fields.AwareDateTime()


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    """A new endpoint with its signing secret, shown this once."""

    secret = fields.String()


class WebhookDeliveryOut(Schema):
    """One delivery attempt."""

    id = fields.Integer()
    delivery_id = fields.String(attribute="outbox_message_id")
    event = fields.String()
    status_code = fields.Integer(allow_none=True)
    attempted_at = fields.AwareDateTime()
    duration_ms = fields.Integer()
    error = fields.String(allow_none=True)


class DeliveryQueryArgsSchema(Schema):
    """Paging of the delivery log."""

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ResentOut(Schema):
    """The delivery ids put back in line."""

    resent = fields.List(fields.String())
