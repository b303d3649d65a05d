"""The rule engine stays a library: importing it pulls in no web app or database code."""

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
before = set(sys.modules)
import rules
for module in pkgutil.walk_packages(rules.__path__, "rules."):
    importlib.import_module(module.name)
added = {name.split(".")[0] for name in set(sys.modules) - before}
print(" ".join(sorted(name for name in added if name not in sys.stdlib_module_names)))
print(" ".join(name for name in ("flask", "sqlalchemy", "returns_service") if name in sys.modules))
"""


def test_importing_rules_imports_only_stdlib_marshmallow_and_yaml():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    )
    third_party, app_modules = result.stdout.split("\n")[:2]
    assert app_modules == ""
    # PyYAML's C loader brings its Cython runtime along.
    allowed = {"rules", "marshmallow", "yaml"}
    assert {name for name in third_party.split() if "cython" not in name} <= allowed
