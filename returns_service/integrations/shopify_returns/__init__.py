"""Shopify's own return records, mirrored from ours through the GraphQL Admin API."""
