"""Schemathesis over the OpenAPI document, for every role's token and for none: no server
error and no answer outside its declared schema.

A bounded run (a few examples per operation, a fixed seed) is part of every test run;
``make fuzz`` runs the same with many more examples and the coverage phase
(``RETURNS_FUZZ_EXAMPLES``, ``RETURNS_FUZZ_PHASES``, ``RETURNS_FUZZ_SEED``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from returns_service.auth.models import Role
from tests.shop import Shop

EXAMPLES = int(os.environ.get("RETURNS_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("RETURNS_FUZZ_SEED", "20261202"))
#: The coverage phase (every boundary of every parameter) is for ``make fuzz``.
PHASES = os.environ.get("RETURNS_FUZZ_PHASES", "examples,fuzzing")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _principals(shop: Shop, token_for: Callable[[Role], dict[str, str]]) -> dict[str, dict]:
    shop.put_order()
    callers = {role.value: token_for(role) for role in Role}
    callers["customer"] = shop.customer()
    callers["anonymous"] = {}
    return callers


def _run(live_server: str, headers: dict[str, str], report: Path) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server}/api/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--phases",
        PHASES,
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    # Run from the report's folder: schemathesis keeps a cache in its working directory.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=report.parent
    )


@pytest.mark.parametrize("caller", [*(r.value for r in Role), "customer", "anonymous"])
def test_no_operation_fails_or_breaks_its_schema(
    caller: str,
    live_server: str,
    shop: Shop,
    token_for: Callable[[Role], dict[str, str]],
    tmp_path: Path,
) -> None:
    headers = _principals(shop, token_for)[caller]
    result = _run(live_server, headers, tmp_path / "junit.xml")
    assert result.returncode == 0, result.stdout[-20000:]
