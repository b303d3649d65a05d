"""Order numbers as people type them."""

from __future__ import annotations

import unicodedata


def normalise_order_number(text: str) -> str:
    """The order number without its ``#``: ``#1020``, `` 1020 `` and ``＃１０２０`` are ``1020``.

    NFKC folds full-width digits and signs, which Japanese input methods often produce.
    """
    return unicodedata.normalize("NFKC", text).strip().lstrip("#").strip()


def number_variants(text: str) -> tuple[str, str]:
    """The two ways a shop may have stored the number: with and without its ``#``."""
    number = normalise_order_number(text)
    return number, f"#{number}"
