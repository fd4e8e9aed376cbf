"""The health score of DESIGN section 5 in plain integer arithmetic, for closing many partners at once.

`scoring.health` is the reference (it also rounds each metric's attainment for display); this
computes only its `score`, exactly and without Fraction objects, many times faster.
tests/unit/test_fastscore.py checks the two agree on every generated agreement.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.health.scoring import MetricTerm


class Scorer:
    """An agreement's terms prepared once (as integer ratios), then scored for many value sets."""

    def __init__(self, terms: Sequence[MetricTerm]):
        if not terms:
            raise ValueError("an agreement needs at least one metric to score")
        self.parts = []
        wnum, wden = 0, 1
        for term in terms:
            w_n, w_d = term.weight.as_integer_ratio()
            wnum, wden = wnum * w_d + w_n * wden, wden * w_d
            f_n, f_d = term.floor.as_integer_ratio()
            t_n, t_d = term.target.as_integer_ratio()
            span = t_n * f_d - f_n * t_d
            if span == 0:
                raise ValueError(f"metric {term.key!r} has target equal to floor")
            self.parts.append((term.key, w_n, w_d, f_n, f_d, t_d, span))
        if wnum <= 0:
            raise ValueError("metric weights must add up to more than 0")
        self.wnum, self.wden = wnum, wden

    def __call__(self, values: Mapping[str, Decimal | None]) -> Decimal:
        num, den = 0, 1  # sum of w * a, as an exact fraction
        for key, w_n, w_d, f_n, f_d, t_d, span in self.parts:
            value = values.get(key)
            if value is None:
                continue
            v_n, v_d = Decimal(value).as_integer_ratio()
            # a = (v - f) / (t - f), every part over a common denominator
            a_n = (v_n * f_d - f_n * v_d) * t_d
            a_d = span * v_d
            if a_d < 0:
                a_n, a_d = -a_n, -a_d
            if a_n <= 0:
                continue
            if a_n >= a_d:
                a_n, a_d = 1, 1
            add_n, add_d = w_n * a_n, w_d * a_d
            num, den = num * add_d + add_n * den, den * add_d
        p, q = 100 * num * self.wden, den * self.wnum  # score = p / q >= 0
        units = (20 * p + q) // (2 * q)  # floor(10 * p / q + 1/2): one decimal place, half-up
        return Decimal(units).scaleb(-1)


def health_score(terms: Sequence[MetricTerm], values: Mapping[str, Decimal | None]) -> Decimal:
    """round(100 * sum(w * clamp((v - floor) / (target - floor), 0, 1)) / sum(w), 1), half-up; missing = 0."""
    return Scorer(terms)(values)
