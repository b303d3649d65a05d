"""Markdown tables of the fact registry and the operators, for the docs and the editor."""

from rules.facts import FACTS, FactType
from rules.operators import OPERATORS_BY_TYPE


def facts_table() -> str:
    """Render every registered fact as a Markdown table."""
    rows = [
        "| fact | type | unit | nullable | scope | label | description | 説明 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fact in FACTS.values():
        kind = str(fact.type)
        if fact.allowed:
            kind += ": " + ", ".join(f"`{value}`" for value in fact.allowed)
        if fact.minimum is not None or fact.maximum is not None:
            low = "" if fact.minimum is None else f"{fact.minimum:g}"
            high = "" if fact.maximum is None else f"{fact.maximum:g}"
            kind += f" ({low}..{high})"
        scopes = ", ".join(sorted(fact.scopes))
        rows.append(
            f"| `{fact.name}` | {kind} | {fact.unit or ''} | {'yes' if fact.nullable else 'no'} "
            f"| {scopes} | {fact.label.en} / {fact.label.ja} "
            f"| {fact.description.en} | {fact.description.ja} |"
        )
    return "\n".join(rows) + "\n"


def operators_table() -> str:
    """Render which operators each fact type allows as a Markdown table."""
    rows = ["| type | operators |", "|---|---|"]
    for kind in FactType:
        rows.append(f"| {kind} | {', '.join(f'`{op}`' for op in OPERATORS_BY_TYPE[kind])} |")
    return "\n".join(rows) + "\n"
