"""Photos sent with a return: images only, checked by their content, size-limited."""

from __future__ import annotations

import uuid
from pathlib import Path

from werkzeug.datastructures import FileStorage

from returns_service.errors import InvalidInput

# Leading bytes of the image formats phones produce.
_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def image_kind(head: bytes) -> str | None:
    """The image type from a file's first bytes; None if it is not an image we take."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1"):
        return "heic"
    return None


def check_photo(upload: FileStorage, max_bytes: int, field: str) -> tuple[bytes, str]:
    """Read and check one upload; returns its bytes and image type, or refuses it."""
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{upload.filename or 'a photo'} is larger than {max_bytes} bytes", field=field
        )
    kind = image_kind(data[:16])
    if kind is None:
        raise InvalidInput(
            f"{upload.filename or 'a file'} is not a JPEG, PNG, GIF, WebP or HEIC image",
            field=field,
        )
    return data, kind


def save_photo(data: bytes, kind: str, directory: Path) -> str:
    """Store a checked photo under a new name; returns the name."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{kind}"
    (directory / name).write_bytes(data)
    return name
