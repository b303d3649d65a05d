"""Order and line cancellations: decided by the warehouse's progress, refunded once."""
