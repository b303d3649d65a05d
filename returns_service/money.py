"""Money as integers in the currency's minor unit, and conversions from decimal strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 exponents that differ from the usual two decimals.
_EXPONENTS = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


#: The largest amount a money column (a 64-bit integer of minor units) can hold.
MAX_MINOR_UNITS = 2**63 - 1


def exponent(currency: str) -> int:
    """Digits after the decimal point in the currency's minor unit (JPY 0, USD 2)."""
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: str | int | float | Decimal, currency: str) -> int:
    """Convert a decimal amount such as ``"12.50"`` to minor units (1250 cents).

    Raises ValueError for anything that is not an amount a money column can hold.
    """
    try:
        value = Decimal(str(amount))
        if not value.is_finite():
            raise InvalidOperation
        # quantize refuses (InvalidOperation) results longer than the context's precision.
        scaled = int(value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if abs(scaled) > MAX_MINOR_UNITS:
        raise ValueError(f"{amount!r} is not an amount of money")
    return scaled


def from_minor(amount: int, currency: str) -> str:
    """Write minor units as the decimal string payment APIs take: 1250 USD is ``"12.50"``.

    Currencies without a minor unit have no decimals: 1200 JPY is ``"1200"``.
    """
    digits = exponent(currency)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f}"


def format_money(amount: int, currency: str) -> str:
    """Show an amount for people: ``¥1,200`` or ``12.50 USD``."""
    digits = exponent(currency)
    if currency.upper() == "JPY":
        return f"¥{amount:,}"
    value = Decimal(amount).scaleb(-digits)
    return f"{value:,.{digits}f} {currency.upper()}"
