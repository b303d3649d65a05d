"""Refunds to the original payment, store credit, and the payment providers behind them."""
