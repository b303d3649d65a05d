"""Rule sets as YAML or JSON text."""

import json
import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from rules.error_codes import with_code
from rules.validation import RuleSetInvalid, validate_rule_set

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_FILE_SUFFIXES = (".yaml", ".yml", ".json")


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text and reads only true/false as booleans.

    Facts hold dates as `YYYY-MM-DD` text, and YAML 1.1 would turn the country code NO
    into false.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF")


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes leaves, amounts and lists of plain values on one line."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    one_line = "fact" in data or (bool(data) and set(data) <= {"percent", "fixed"})
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=one_line)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    one_line = not any(isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=one_line)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
# Documents built in Python may hold Op, Outcome ... members; write their values.
_Dumper.add_multi_representer(StrEnum, lambda dumper, data: dumper.represent_str(data.value))


def load_rule_set(text_or_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse YAML or JSON (text, or a path to a .yaml/.yml/.json file) and validate it.

    Returns the normalised document; raises RuleSetInvalid for bad syntax or content.
    """
    text, is_json = _read(text_or_path)
    try:
        doc = json.loads(text) if is_json else yaml.load(text, Loader=_Loader)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        language = "JSON" if is_json else "YAML"
        problem = with_code({"path": "", "message": f"not valid {language}: {error}"})
        raise RuleSetInvalid([problem]) from error
    return validate_rule_set(doc)


def dump_rule_set(doc: dict[str, Any], format: str = "yaml") -> str:
    """Write a rule set document as "yaml" or "json" text, keeping its key order."""
    if format == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if format == "yaml":
        return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    raise ValueError(f"unknown format {format!r}; use 'yaml' or 'json'")


def _read(text_or_path: str | os.PathLike[str]) -> tuple[str, bool]:
    """Return the text and whether it is JSON."""
    is_path = isinstance(text_or_path, os.PathLike) or (
        "\n" not in text_or_path and text_or_path.endswith(_FILE_SUFFIXES)
    )
    if is_path:
        path = Path(text_or_path)
        return path.read_text(encoding="utf-8"), path.suffix == ".json"
    return text_or_path, text_or_path.lstrip().startswith("{")
