"""Subscription cancellations: offers chosen by the reason, the outcome sent on and e-mailed."""
