"""``python -m returns_service`` is the ``returns-service`` command."""

from returns_service.cli import main

main()
