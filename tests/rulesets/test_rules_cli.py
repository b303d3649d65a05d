"""``returns-service rules export|import|simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from flask import Flask

import rules
from tests.shop import Shop


def test_export_then_import_round_trips_and_publishes(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    exported = tmp_path / "rules.yaml"
    result = runner.invoke(args=["rules", "export", str(exported)])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert document == rules.validate_rule_set(rules.default_rule_set())

    result = runner.invoke(args=["rules", "import", str(exported), "--publish"])
    assert result.exit_code == 0, result.output
    assert "published as version 2" in result.output


def test_import_of_an_invalid_file_names_each_error(app: Flask, tmp_path: Path) -> None:
    document = rules.default_rule_set()
    document["rules"].pop()  # no default rule at the end any more
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["rules", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: rules" in result.output
    assert "is not a valid rule set" in result.output


def test_simulate_reports_changes_on_recent_requests(
    app: Flask, shop: Shop, tmp_path: Path
) -> None:
    order = shop.put_order()
    shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}],
    )
    document = rules.default_rule_set()
    document["rules"] = [r for r in document["rules"] if not r["name"].startswith("low_price")]
    draft = tmp_path / "draft.yaml"
    draft.write_text(rules.dump_rule_set(document, format="yaml"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["rules", "simulate", str(draft), "--since", "90d"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["total"], report["changed"]) == (1, 1)
    bad_span = app.test_cli_runner().invoke(
        args=["rules", "simulate", str(draft), "--since", "soon"]
    )
    assert bad_span.exit_code == 2
    assert "90d" in bad_span.output
