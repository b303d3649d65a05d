"""carriers is a library: importing it must not pull in the web application."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_importing_carriers_loads_no_flask_sqlalchemy_or_app():
    script = (
        "import sys, carriers\n"
        "loaded = [m for m in ('flask', 'sqlalchemy', 'returns_service') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_importing_carriers_registers_the_bundled_adapters():
    script = "import carriers; print(' '.join(carriers.available()))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["easypost", "sandbox"]
