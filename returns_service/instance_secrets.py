"""Secrets the service makes for itself and keeps in its instance folder."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def instance_secret_key(instance_path: Path, name: str = "secret_key") -> str:
    """Return the secret kept in the instance folder under ``name``, creating it on first use.

    The file appears whole and readable by its owner only; processes starting together (web
    workers, the job worker) all end up with the key of the first one to create it.
    """
    key_file = instance_path / name
    if key_file.exists() and (key := key_file.read_text().strip()):
        return key
    instance_path.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}-", dir=instance_path)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, key_file)  # fails if another process created it meanwhile
        except FileExistsError:
            if not key_file.read_text().strip():  # empty: left by a crash mid-write
                os.replace(temporary, key_file)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return key_file.read_text().strip()
