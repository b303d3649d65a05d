"""LOGILESS, a warehouse system common among Japanese shops, over its REST API."""
