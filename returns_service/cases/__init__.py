"""Cases: one read model over returns, exchanges and cancellations, with triage and due times.

The domains own their state; a case is computed from their rows and timelines when read
(see docs/decisions.md). What belongs to the case itself, its assignee, notes, escalation
and satisfaction survey, lives in the tables of ``cases.models``.
"""
