"""The packages of the service import each other in one direction only.

`lint-imports` (run by the test command) checks the layers written in pyproject.toml; this
test checks, from the import graph itself, that no two parts of the service import each
other, directly or round a longer loop, so a cycle is caught even where no contract names
the packages involved.
"""

from __future__ import annotations

import grimp

ROOT = "returns_service"


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
