"""Stock per SKU, reservations for exchanges, restocks."""
