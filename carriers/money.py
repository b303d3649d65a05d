"""Carrier amounts (decimal strings) as integers in the currency's minor unit."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 currencies whose minor unit is not the usual hundredth.
_EXPONENTS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI")
        + ("VND", "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def to_minor_units(amount: str | int | Decimal, currency: str) -> int:
    """Convert a decimal amount such as ``"7.58"`` to minor units (758 for USD, 8 for JPY)."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    scale = Decimal(10) ** _EXPONENTS.get(currency.upper(), 2)
    return int((value * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))
