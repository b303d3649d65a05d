"""Orders, lines, shipments and customers, and how they come in."""
