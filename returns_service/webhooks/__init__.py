"""Webhooks partners send us: Shopify, Stripe and the carriers, each verified first."""
