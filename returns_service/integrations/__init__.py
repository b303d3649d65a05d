"""The systems a shop runs beside the service: warehouse systems, Shopify's returns, Zendesk, LINE.

Each system has a pure mapping module (our records in, the vendor's JSON out and back; no
Flask, SQLAlchemy or ``returns_service`` imports), a client over ``requests`` and its
settings. Every call is an outbox job whose outbox id is the call's idempotency key.
"""
