"""Fixtures for the carrier tests: our own small payloads (the shared ones come from the root)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_json() -> Callable[[str], Any]:
    """Return a function loading one of our own JSON payloads from ``data/``."""
    return lambda name: json.loads((_DATA / name).read_text(encoding="utf-8"))
