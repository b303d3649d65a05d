"""Photos sent with a return: counted, size-limited, decoded as images and re-encoded.

Re-encoding keeps the pixels (turned upright) and drops everything else a phone writes into
the file, such as the GPS position in its EXIF data. Pillow's decompression-bomb guard is
kept on: an image that claims more pixels than it safely decodes is refused, not decoded.
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from returns_service.errors import InvalidInput

#: Pillow's format name -> the stored file's extension and the format it is written in.
_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_NOT_AN_IMAGE = "{name} is not a JPEG, PNG, GIF or WebP image"


@dataclass(frozen=True)
class Photo:
    """A checked photo, re-encoded, with the name it will be stored under."""

    name: str
    data: bytes


def too_many_for_a_line(line_id: int, per_line: int, sent: int) -> InvalidInput:
    """The refusal of more photos than one line may carry."""
    return InvalidInput(
        f"a line carries at most {per_line} photos, {sent} were sent",
        field=f"photo_{line_id}",
        code="too_many_photos_line",
        most=per_line,
    )


def check_counts(uploads: Mapping[int, Sequence[object]], per_line: int, per_request: int) -> None:
    """Refuse more photos than a line or a request may carry, before reading any."""
    for line_id, files in uploads.items():
        if len(files) > per_line:
            raise too_many_for_a_line(line_id, per_line, len(files))
    total = sum(len(files) for files in uploads.values())
    if total > per_request:
        raise InvalidInput(
            f"a request carries at most {per_request} photos, {total} were sent",
            field="photos",
            code="too_many_photos",
            most=per_request,
        )


def megabytes(size: int) -> str:
    """A byte count as the megabytes a customer reads (``5``, ``0.5``)."""
    return f"{size / (1024 * 1024):g}"


def check_photo(upload: FileStorage, max_bytes: int, field: str) -> Photo:
    """Read, decode and re-encode one upload; refuse it if it is too large or not an image."""
    name = upload.filename or "a photo"
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{name} is larger than {max_bytes} bytes",
            field=field,
            code="photo_too_large",
            max_mb=megabytes(max_bytes),
        )
    try:
        with warnings.catch_warnings():
            # Past MAX_IMAGE_PIXELS Pillow only warns; refuse those images too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                if kind not in _FORMATS:
                    raise _not_an_image(name, field)
                return Photo(f"{uuid.uuid4().hex}.{_FORMATS[kind]}", _reencoded(image, kind))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image(name, field) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(
            f"{name} has too many pixels", field=field, code="too_many_pixels"
        ) from None


def _not_an_image(name: str, field: str) -> InvalidInput:
    return InvalidInput(_NOT_AN_IMAGE.format(name=name), field=field, code="not_an_image")


def _reencoded(image: Image.Image, kind: str) -> bytes:
    upright = ImageOps.exif_transpose(image)  # the EXIF orientation goes with the EXIF data
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    # No exif=, pnginfo= or icc_profile=: nothing but the pixels is written.
    upright.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def store_photos(photos: Iterable[Photo], directory: Path) -> list[Path]:
    """Write checked photos; returns the files written (for removal if the change fails)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for photo in photos:
            path = directory / photo.name
            path.write_bytes(photo.data)
            written.append(path)
    except OSError:
        remove_photos(written)
        raise
    return written


def remove_photos(paths: Iterable[Path]) -> None:
    """Remove files of a change that did not happen."""
    for path in paths:
        path.unlink(missing_ok=True)
