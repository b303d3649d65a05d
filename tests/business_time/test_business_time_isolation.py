"""Business time stays a library: importing it pulls in no web app or database code."""

import subprocess
import sys

CHECK = """
import sys
import business_time
print(" ".join(name for name in ("flask", "sqlalchemy", "returns_service") if name in sys.modules))
"""


def test_importing_business_time_imports_no_app_code():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
