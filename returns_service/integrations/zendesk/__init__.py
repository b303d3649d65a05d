"""Zendesk: tickets for cases that need a person, and agents' replies back on the timeline."""
