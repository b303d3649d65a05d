"""The numbers admins watch: return rate by product, reasons, automation, time to refund."""
