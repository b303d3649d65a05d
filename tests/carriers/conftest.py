"""Fixtures for the carrier tests: the shared real payloads and our own small ones."""

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_REPO = Path(__file__).resolve().parents[2]
_DATA = Path(__file__).parent / "data"

# pytest puts tests/ on sys.path, where this folder looks like a namespace package called
# "carriers" that hides the real one (the editable install's finder comes after the path
# finder). A regular package anywhere on sys.path wins over a namespace portion, so make
# sure the repository is there and forget a namespace "carriers" imported by mistake.
if str(_REPO) not in sys.path:
    sys.path.append(str(_REPO))
if getattr(sys.modules.get("carriers"), "__file__", "") is None:
    del sys.modules["carriers"]


def _shared_fixtures_dir() -> Path:
    override = os.environ.get("RETURNS_SHARED_FIXTURES")
    if override:
        return Path(override)
    # The shared payloads live next to the checkout: <repo>/../shared/fixtures.
    return Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


@pytest.fixture
def shared_fixture() -> Callable[[str], Path]:
    """Return a function giving the path of a shared fixture, skipping the test without it."""

    def locate(name: str) -> Path:
        folder = _shared_fixtures_dir()
        if not folder.is_dir():
            pytest.skip(
                f"shared fixtures folder not found at {folder}: "
                "check out ../shared next to the repository or set RETURNS_SHARED_FIXTURES"
            )
        path = folder / name
        if not path.is_file():
            pytest.skip(f"shared fixture {name} not found in {folder}")
        return path

    return locate


@pytest.fixture
def shared_json(shared_fixture: Callable[[str], Path]) -> Callable[[str], Any]:
    """Return a function loading a shared JSON fixture."""
    return lambda name: json.loads(shared_fixture(name).read_text(encoding="utf-8"))


@pytest.fixture
def data_json() -> Callable[[str], Any]:
    """Return a function loading one of our own JSON payloads from ``data/``."""
    return lambda name: json.loads((_DATA / name).read_text(encoding="utf-8"))
