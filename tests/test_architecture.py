"""The packages of the service import each other in one direction only.

`lint-imports` (run by the test command) checks the layers written in pyproject.toml; this
test checks, from the import graph itself, that no two parts of the service import each
other, directly or round a longer loop, so a cycle is caught even where no contract names
the packages involved. It also checks that only the entry points read Flask's globals:
operations receive the shop's settings and their inputs as arguments.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

import returns_service

ROOT = "returns_service"
PACKAGE_DIR = Path(returns_service.__file__).parent
#: Flask's (and Flask-Login's) per-app and per-request globals.
FLASK_GLOBALS = frozenset(
    {"current_app", "g", "request", "session", "has_app_context", "has_request_context"}
)
#: Entry points: they read the request and the app, and hand operations what they need.
ENTRY_POINTS = frozenset(
    {"api", "portal", "staff", "webhooks", "cli", "pages", "wiring", "worker", "health"}
    | {"demo", "demo_data", "__init__", "__main__"}
)
#: Web plumbing below the entry points, each serving every entry point of its kind.
WEB_PLUMBING = {
    "errors.py": "turns a DomainError into the JSON answer of the request that raised it",
    "idempotency.py": "answers a repeated Idempotency-Key header with the first answer",
    "request_limits.py": "refuses request bodies over the configured size",
    "kept_urls.py": "the templates' url_for, each address built once per app and kept",
    "extensions.py": "binds the extensions (database, queue, limiter) to the app",
    "outbox.py": "enqueues after commit only where there is an app, whose queue it uses",
    "auth/access.py": "the API's request guards: who is calling, with which role",
    "auth/staff_sessions.py": "staff sign-in sessions (Flask-Login)",
}


def _part(module: str) -> str:
    """The direct child of the root a module is in (``returns_service.api.orders`` -> api)."""
    return module.split(".")[1] if module.count(".") else module


def _package_edges() -> dict[str, set[str]]:
    graph = grimp.build_graph(ROOT, exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        if module == ROOT:
            continue  # the app factory imports everything, lazily, by design
        source = _part(module)
        for imported in graph.find_modules_directly_imported_by(module):
            target = _part(imported)
            if imported != ROOT and target != source:
                edges.setdefault(source, set()).add(target)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle between the parts, as the list of parts round it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_loop() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_no_two_parts_of_the_service_import_each_other() -> None:
    cycle = _cycle(_package_edges())

    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_libraries_import_nothing_of_the_app() -> None:
    for library in ("rules", "carriers"):
        graph = grimp.build_graph(library, "returns_service", include_external_packages=True)
        for forbidden in ("returns_service", "flask", "sqlalchemy"):
            chains = graph.find_shortest_chains(
                importer=library, imported=forbidden, as_packages=True
            )
            assert not chains, f"{library} imports {forbidden}: {sorted(chains)[:3]}"


def flask_globals_imported(source: str) -> list[str]:
    """The Flask globals a module's source imports (``from flask import request``, ...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
            found += [alias.name for alias in node.names if alias.name in FLASK_GLOBALS]
            found += [alias.name for alias in node.names if alias.name == "current_user"]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name == "flask"]
    return found


def _domain_modules() -> list[Path]:
    """Every module of the service but the entry points and the web plumbing."""
    modules = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR)
        part = relative.parts[0] if len(relative.parts) > 1 else path.stem
        if part not in ENTRY_POINTS and relative.as_posix() not in WEB_PLUMBING:
            modules.append(path)
    return modules


def test_the_flask_global_finder_finds_them() -> None:
    source = "from flask import Blueprint, current_app, g\nimport flask\n"
    assert flask_globals_imported(source) == ["current_app", "g", "flask"]
    assert flask_globals_imported("from flask import Flask, Blueprint\n") == []


def test_no_operation_reads_the_app_or_the_request() -> None:
    offenders = {
        path.relative_to(PACKAGE_DIR).as_posix(): names
        for path in _domain_modules()
        if (names := flask_globals_imported(path.read_text(encoding="utf-8")))
    }

    assert _domain_modules(), "no domain modules found"
    assert not offenders, f"domain modules reading Flask's globals: {offenders}"


def test_the_web_plumbing_list_names_modules_that_exist() -> None:
    for relative in WEB_PLUMBING:
        assert (PACKAGE_DIR / relative).is_file(), relative
