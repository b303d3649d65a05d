"""Files one return through the API and dies right after the commit, before the enqueue.

Run as a separate process by the crash test: ``python -m tests.returns.crash_after_commit``
with ``DATABASE_URL``, ``REDIS_URL``, ``TOKEN`` and ``BODY`` in the environment.
"""

import json
import os

from sqlalchemy import event
from sqlalchemy.orm import Session

from returns_service import create_app
from returns_service.extensions import db


def _die(session: Session) -> None:
    if not session.in_nested_transaction():
        os._exit(9)  # no clean-up, no atexit: as if the machine lost power here


def main() -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "SECRET_KEY": "test-secret",
        }
    )
    # Runs before the outbox's own after-commit hook, which would enqueue the jobs.
    event.listen(db.session_factory, "after_commit", _die, insert=True)
    app.test_client().post(
        "/api/v1/returns",
        json=json.loads(os.environ["BODY"]),
        headers={"Authorization": f"Bearer {os.environ['TOKEN']}"},
    )


if __name__ == "__main__":
    main()
