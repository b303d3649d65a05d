"""Rule sets round-trip through YAML and JSON, from text or from files."""

import json

import pytest
from rules_helpers import rule_set, when

from rules import RuleSetInvalid, default_rule_set, dump_rule_set, load_rule_set
from rules.operators import Op

DOC = rule_set(
    when(
        {
            "any": [
                {"fact": "shipping_country", "op": "in", "value": ["NO", "ON"]},
                {"fact": "delivered_on", "op": "<", "value": "2024-05-01"},
                {"fact": "unit_price", "op": ">=", "value": 1500},
            ]
        }
    ),
    default={"outcome": "reject", "message": {"ja": "{delivered_on}に配達", "en": "No: {sku}"}},
)


@pytest.mark.parametrize("format", ["yaml", "json"])
def test_round_trip(format):
    loaded = load_rule_set(dump_rule_set(load_rule_set(json.dumps(DOC)), format=format))
    assert loaded == load_rule_set(json.dumps(DOC))
    assert dump_rule_set(loaded, format=format) == dump_rule_set(
        load_rule_set(dump_rule_set(loaded, format=format)), format=format
    )


def test_default_rule_set_round_trips():
    doc = default_rule_set()
    assert load_rule_set(dump_rule_set(doc)) == doc
    assert load_rule_set(dump_rule_set(doc, format="json")) == doc


def test_yaml_keeps_dates_and_country_codes_as_text():
    text = """
name: dates
rules:
  - name: early
    condition:
      all:
        - {fact: delivered_on, op: "<", value: 2024-05-01}
        - {fact: shipping_country, op: in, value: [NO, ON, yes]}
    action: {outcome: review, review_reason: check}
  - name: default
    action: {outcome: approve}
"""
    leaves = load_rule_set(text)["rules"][0]["condition"]["all"]
    assert leaves[0]["value"] == "2024-05-01"
    assert leaves[1]["value"] == ["NO", "ON", "yes"]


def test_yaml_writes_leaves_on_one_line_and_japanese_as_is():
    text = dump_rule_set(load_rule_set(json.dumps(DOC)))
    assert "- {fact: unit_price, op: '>=', value: 1500}" in text
    assert "{delivered_on}に配達" in text


def test_load_from_a_path(tmp_path):
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text(dump_rule_set(DOC), encoding="utf-8")
    json_file = tmp_path / "rules.json"
    json_file.write_text(dump_rule_set(DOC, format="json"), encoding="utf-8")
    assert (
        load_rule_set(yaml_file) == load_rule_set(str(json_file)) == load_rule_set(str(yaml_file))
    )


def test_documents_built_with_enum_members_dump_as_text():
    doc = rule_set(when({"fact": "quantity", "op": Op.GT, "value": 1}))
    assert "op: '>'" in dump_rule_set(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed", "not valid YAML"),
        ('{"name": ', "not valid JSON"),
        ("just text", "a rule set is a mapping"),
    ],
)
def test_syntax_errors_are_reported_as_invalid_rule_sets(text, message):
    with pytest.raises(RuleSetInvalid) as raised:
        load_rule_set(text)
    assert raised.value.errors[0]["path"] == ""
    assert message in raised.value.errors[0]["message"]


def test_loading_validates():
    with pytest.raises(RuleSetInvalid) as raised:
        load_rule_set("name: x\nrules: []\n")
    assert raised.value.errors == [
        {
            "path": "rules",
            "message": "a rule set needs at least one rule: the default",
            "code": "no_rules",
        }
    ]


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format 'toml'"):
        dump_rule_set(DOC, format="toml")
