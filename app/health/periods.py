"""Calendar quarters ('2026-Q3'): parsing, ordering, neighbours and dates."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MIN_YEAR = 2000
MAX_YEAR = 2999

# ASCII only: \d would also accept other scripts' digits, giving one quarter several spellings.
_PERIOD_RE = re.compile(r"([0-9]{4})-Q([0-9])")


def _check(year: object, quarter: object) -> None:
    """Raise ValueError unless year and quarter name a quarter Tandem can hold."""
    # bool is an int subclass; Period(True, 1) is a bug, not a year.
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"period year must be an integer, got {year!r}")
    if isinstance(quarter, bool) or not isinstance(quarter, int):
        raise ValueError(f"period quarter must be an integer, got {quarter!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"period year must be between {MIN_YEAR} and {MAX_YEAR}, got {year}")
    if not 1 <= quarter <= 4:
        raise ValueError(f"period quarter must be 1, 2, 3 or 4, got {quarter}")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter; compares chronologically (year, then quarter)."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        _check(self.year, self.quarter)

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    def next(self) -> Period:
        """The following quarter (ValueError past 2999-Q4)."""
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def previous(self) -> Period:
        """The preceding quarter (ValueError before 2000-Q1)."""
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def start_date(self) -> date:
        """First day of the quarter."""
        return date(self.year, 3 * (self.quarter - 1) + 1, 1)

    def end_date(self) -> date:
        """Last day of the quarter (inclusive)."""
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        """Whether the date falls inside this quarter."""
        return self.start_date() <= day <= self.end_date()


def parse_period(s: object) -> Period:
    """Parse the canonical 'YYYY-Qn' form; anything else raises ValueError with a clear message."""
    if not isinstance(s, str):
        raise ValueError(f"period must be text like '2026-Q3', got {s!r}")
    # Strict (no lower-case q, no spaces) so each quarter has exactly one spelling in URLs and keys.
    m = _PERIOD_RE.fullmatch(s)
    if m is None:
        raise ValueError(f"invalid period {s!r}: expected YYYY-Qn, e.g. '2026-Q3'")
    year, quarter = int(m.group(1)), int(m.group(2))
    try:
        return Period(year, quarter)
    except ValueError as exc:
        raise ValueError(f"invalid period {s!r}: {exc}") from None


def period_for(day: date) -> Period:
    """The quarter that contains a date (datetimes use their own calendar date)."""
    return Period(day.year, (day.month - 1) // 3 + 1)
