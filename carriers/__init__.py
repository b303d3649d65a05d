"""Carrier adapters: pickups, return labels and tracking, behind carrier-neutral models."""
