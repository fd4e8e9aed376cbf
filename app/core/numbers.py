"""Number helpers every calculation shares: strict parsing, exact half-up rounding, JSON numbers.

Pure (no Flask, no database): health and tiers both build on it, so neither borrows from the other.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# Measurements and thresholds beyond this are data-entry mistakes, and would overflow NUMERIC columns.
MAX_ABS = Decimal("1e15")


def parse_number(value: object) -> Decimal:
    """Coerce a JSON or form value to a finite Decimal; ValueError carries a user-facing message."""
    if value is None:
        raise ValueError("is required")
    # bool is an int subclass; true/false in a numeric field is a client bug, not 1/0.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # JSON parsers hand us floats; repr is the shortest round-trip text, so 0.1 stays 0.1.
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("is required")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"must be a number, got {value!r}") from None
    else:
        raise ValueError("must be a number")
    if not number.is_finite():
        raise ValueError("must be a finite number")
    if abs(number) > MAX_ABS:
        raise ValueError(f"must be at most {MAX_ABS:,.0f} in size")
    # Normalise -0 so it never shows up as "-0" in answers.
    return abs(number) if number == 0 else number


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """Round exactly, half away from zero, to `places` decimals."""
    scaled = Fraction(value) * 10**places
    units = math.floor(abs(scaled) + Fraction(1, 2))
    if scaled < 0:
        units = -units
    return Decimal(units).scaleb(-places)


def json_number(value) -> float | None:
    """Decimal to a JSON number at the edge, after it was rounded."""
    return None if value is None else float(value)
