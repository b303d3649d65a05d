"""Photos a customer sent with a form that was refused, kept so they need not be chosen again.

They are checked and re-encoded like any photo, then kept under
``UPLOAD_DIR/pending/<submission id>/`` as ``<line id>-<name>`` until the form is filed
(they become the return's photos), removed by the customer, or a day old.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from returns_service.errors import DomainError
from returns_service.returns.photos import Photo, check_photo, too_many_for_a_line
from returns_service.shop import ShopSettings

#: How long a refused form's photos are kept.
KEPT_FOR = timedelta(days=1)
#: A form's submission id (a uuid4 in hex) names its folder; nothing else does.
_SUBMISSION = re.compile(r"[0-9a-f]{32}")
#: A kept photo's file: its line, then the name re-encoding gave it.
_KEPT_NAME = re.compile(r"(\d+)-([0-9a-f]{32}\.(?:jpg|png|gif|webp))")


def valid_submission(submission: str | None) -> bool:
    """Whether ``submission`` can name a folder of kept photos."""
    return bool(submission and _SUBMISSION.fullmatch(submission))


@dataclass(frozen=True)
class PendingPhotos:
    """The kept photos of one form, by its submission id."""

    upload_dir: Path
    submission: str

    @property
    def folder(self) -> Path:
        return self.upload_dir / "pending" / self.submission

    def file(self, name: str) -> Path | None:
        """The kept photo called ``name``; None for any other name."""
        path = self.folder / name
        return path if _KEPT_NAME.fullmatch(name) and path.is_file() else None

    def by_line(self) -> dict[int, list[str]]:
        """The kept photos' file names, by order line, oldest first."""
        found: dict[int, list[str]] = {}
        if not self.folder.is_dir():
            return found
        for path in sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime_ns):
            if match := _KEPT_NAME.fullmatch(path.name):
                found.setdefault(int(match.group(1)), []).append(path.name)
        return found

    def photos(self) -> dict[int, list[Photo]]:
        """The kept photos, ready to be stored with the return."""
        return {
            line_id: [
                Photo(name.partition("-")[2], (self.folder / name).read_bytes()) for name in names
            ]
            for line_id, names in self.by_line().items()
        }

    def remove(self, names: Iterable[str]) -> None:
        """Forget the photos the customer chose to remove."""
        for name in names:
            if path := self.file(name):
                path.unlink(missing_ok=True)

    def keep(
        self, uploads: Mapping[int, Sequence[FileStorage]], max_bytes: int, per_line: int
    ) -> list[DomainError]:
        """Check and keep each new upload; the refusals of those that are not kept."""
        refused: list[DomainError] = []
        kept = self.by_line()
        for line_id, files in uploads.items():
            field = f"photo_{line_id}"
            for upload in files:
                if len(kept.get(line_id, [])) >= per_line:
                    refused.append(too_many_for_a_line(line_id, per_line, len(files)))
                    break
                try:
                    photo = check_photo(upload, max_bytes, field)
                except DomainError as error:
                    refused.append(error)
                    continue
                self.folder.mkdir(parents=True, exist_ok=True)
                name = f"{line_id}-{photo.name}"
                (self.folder / name).write_bytes(photo.data)
                kept.setdefault(line_id, []).append(name)
        return refused

    def clear(self) -> None:
        """The form was filed: its kept photos are the return's now."""
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_stale(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Remove the kept photos of forms left for more than a day (a periodic task)."""
    pending = Path(settings.config["UPLOAD_DIR"]) / "pending"
    oldest = (now - KEPT_FOR).timestamp()
    for folder in pending.iterdir() if pending.is_dir() else []:
        if folder.is_dir() and folder.stat().st_mtime < oldest:
            shutil.rmtree(folder, ignore_errors=True)
