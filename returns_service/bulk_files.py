"""Reading bulk load files: CSV with one row per line item, or one JSON document per line.

Orders and products are loaded the same way: rows are grouped by the id of what they
describe, and every group or line carries where it stood in the file, for the report.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError

#: Where in the file, the id, and the document (or why it could not be read).
Item = tuple[str, str, dict[str, Any] | Exception]


def csv_groups(
    path: Path, required: Sequence[str], key: str
) -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    """The rows of a CSV file grouped by the ``key`` column: (where, key, rows).

    A file without a required column is a usage error; a row cut short reads as empty cells
    (rejected by the caller's checks), never a crash.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, restval="")
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise click.UsageError(f"{path} lacks the CSV columns: {', '.join(missing)}")
        groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            groups.setdefault(row[key], []).append((number, row))
    for value, numbered in groups.items():
        numbers = [n for n, _ in numbered]
        where = f"rows {numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else f"row {numbers[0]}"
        yield where, value, [row for _, row in numbered]


def jsonl_documents(path: Path, noun: str) -> Iterator[Item]:
    """Each non-empty line as a JSON object with its ``external_id`` taken out."""
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                document = json.loads(text)
            except ValueError:
                document = None
            if not isinstance(document, dict):
                yield f"line {number}", "", ValidationError("not a JSON object")
                continue
            external_id = document.pop("external_id", None)
            if external_id is None or str(external_id) == "":
                yield f"line {number}", "", ValidationError("no external_id")
                continue
            yield f"line {number} ({noun} {external_id})", str(external_id), document
