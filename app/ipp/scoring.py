"""Pure Ideal Partner Profile (IPP) scoring: criteria, answer validation, fit scores (DESIGN §2).

No Flask and no database here. Numbers are Decimals built from strings (never from floats);
the weighted sum is computed exactly with Fractions and rounded half-up only at the end, so the
result does not depend on the order of the criteria and `.x5` boundaries round up reliably.

Conventions:
- fit_score: 100 * sum(w*s) / sum(w), rounded half-up to 1 place (unanswered counts s = 0).
- coverage: answered weight / total weight, a Decimal in [0, 1] rounded half-up to 3 places.
- band thresholds are applied to the rounded fit_score (a displayed 80.0 is always `ideal`).
- knockout: a knockout criterion answered with s = 0 forces band `not_a_fit`; unanswered
  knockouts do not trigger (they only lower the score and coverage).
- Numbers (weights, floor, target, points, number answers) must lie strictly within
  +/-10**15 and are rounded half-up to 12 decimal places; this keeps arithmetic bounded.
- An answer of None, or a blank string from a form, means "unanswered".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

CRITERION_TYPES = ("boolean", "scale", "number", "choice")
BANDS = (("ideal", 80), ("strong", 60), ("developing", 40))
BAND_NOT_A_FIT = "not_a_fit"
TOUCH_BY_BAND = {"ideal": "strategic", "strong": "strategic",
                 "developing": "growth", "not_a_fit": "digital"}
TOUCH_MODELS = {
    "strategic": "monthly touch, quarterly review",
    "growth": "quarterly touch, enablement plan",
    "digital": "digital programme",
}
SCALE_MIN, SCALE_MAX = 1, 5
KEY_RE = re.compile(r"[a-z0-9_]{1,64}")
MAX_ABS = 10 ** 15
MAX_DIGITS = 15  # numbers must satisfy |v| < 10**MAX_DIGITS
NUMBER_QUANTUM = Decimal("1e-12")
QUESTION_MAX = 500
TRUE_STRINGS = frozenset({"yes", "true", "1"})
FALSE_STRINGS = frozenset({"no", "false", "0"})


@dataclass(frozen=True)
class Criterion:
    """One validated question of an IPP version."""

    key: str
    question: str
    type: str
    weight: Decimal
    knockout: bool = False
    floor: Decimal | None = None
    target: Decimal | None = None
    options: tuple[tuple[str, Decimal], ...] = ()
    help_text: str = ""

    @property
    def max_points(self) -> Decimal:
        """Largest points of any option (choice criteria only)."""
        return max(points for _, points in self.options)

    def to_dict(self) -> dict[str, Any]:
        """Section-9 shape of this criterion (Decimals left as Decimals)."""
        out: dict[str, Any] = {"key": self.key, "question": self.question, "type": self.type,
                               "weight": self.weight, "knockout": self.knockout,
                               "help_text": self.help_text}
        if self.type == "number":
            out.update(floor=self.floor, target=self.target)
        if self.type == "choice":
            out["options"] = [{"value": v, "points": p} for v, p in self.options]
        return out


@dataclass(frozen=True)
class FitResult:
    """Outcome of scoring one set of answers against one IPP version."""

    fit_score: Decimal
    band: str
    coverage: Decimal
    knockout_failed: tuple[str, ...]
    touch_model: str
    criteria: tuple[tuple[str, Decimal | None], ...]

    def to_dict(self) -> dict[str, Any]:
        """Section-9 assessment shape (Decimals left as Decimals)."""
        return {"fit_score": self.fit_score, "band": self.band, "coverage": self.coverage,
                "knockout_failed": list(self.knockout_failed), "touch_model": self.touch_model,
                "criteria": [{"key": k, "score": s} for k, s in self.criteria]}


@dataclass(frozen=True)
class Difference:
    """A criterion where the vendor's and the partner's own answers differ."""

    key: str
    question: str
    vendor_value: Any
    self_value: Any
    vendor_score: Decimal | None
    self_score: Decimal | None


# --- numbers -------------------------------------------------------------------------------

def to_decimal(value: Any) -> Decimal:
    """Parse a JSON/form number into a bounded finite Decimal or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError("must be a number")
    if isinstance(value, int) and abs(value) >= MAX_ABS:
        raise ValueError("must be between -10^15 and 10^15")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a finite number")
    if number != 0 and number.adjusted() >= MAX_DIGITS:
        raise ValueError("must be between -10^15 and 10^15")
    number = _bound_places(number)
    if number == 0:
        return Decimal(0)
    if number.adjusted() >= MAX_DIGITS:
        raise ValueError("must be between -10^15 and 10^15")
    return number


def _bound_places(number: Decimal) -> Decimal:
    """Round to at most 12 decimal places, half-up (and drop positive exponents)."""
    exponent = number.as_tuple().exponent
    if exponent < NUMBER_QUANTUM.as_tuple().exponent:
        return number.quantize(NUMBER_QUANTUM, rounding=ROUND_HALF_UP)
    return number.quantize(Decimal(1)) if exponent > 0 else number


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round a non-negative Fraction half-up to `places` decimals, exactly."""
    scaled = math.floor(value * 10 ** places + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places)


def _to_decimal_exact(value: Fraction) -> Decimal:
    """Convert a Fraction to a Decimal (exact when it terminates within 28 digits)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


# --- criteria validation -------------------------------------------------------------------

def validate_criteria(raw: Any) -> tuple[list[Criterion], dict[str, str]]:
    """Validate a profile definition; returns (criteria, errors), criteria empty on any error."""
    if not isinstance(raw, list) or not raw:
        return [], {"criteria": "add at least one criterion"}
    errors: dict[str, str] = {}
    parsed: list[Criterion] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        prefix = f"criteria.{index}"
        if not isinstance(item, dict):
            errors[prefix] = "must be an object"
            continue
        item_errors: dict[str, str] = {}
        criterion = _parse_criterion(item, item_errors)
        if criterion is not None and criterion.key in seen:
            item_errors["key"] = "is used by another criterion"
        errors.update({f"{prefix}.{name}": msg for name, msg in item_errors.items()})
        if criterion is not None:
            seen.add(criterion.key)
            if not item_errors:
                parsed.append(criterion)
    return ([] if errors else parsed), errors


def _parse_criterion(item: dict, errors: dict[str, str]) -> Criterion | None:
    """Parse one criterion dict, recording field errors; None if unusable."""
    key = _parse_key(item.get("key"), errors)
    question = _parse_text(item.get("question"), "question", errors, required=True)
    help_text = _parse_text(item.get("help_text"), "help_text", errors, required=False)
    ctype = item.get("type")
    if ctype not in CRITERION_TYPES:
        errors["type"] = "must be one of " + ", ".join(CRITERION_TYPES)
    weight = _parse_number(item.get("weight"), "weight", errors, positive=True)
    knockout = _parse_flag(item.get("knockout"), errors)
    floor = target = None
    options: tuple[tuple[str, Decimal], ...] = ()
    if ctype == "number":
        floor, target = _parse_range(item, errors)
    elif ctype == "choice":
        options = _parse_options(item.get("options"), errors)
    if key is None:
        return None
    return Criterion(key=key, question=question or "", type=ctype if isinstance(ctype, str) else "",
                     weight=weight or Decimal(1), knockout=bool(knockout), floor=floor,
                     target=target, options=options, help_text=help_text or "")


def _parse_key(value: Any, errors: dict[str, str]) -> str | None:
    """A required slug key: lowercase letters, digits and underscores, 1..64 chars."""
    if value is None or value == "":
        errors["key"] = "is required"
        return None
    if not isinstance(value, str) or not KEY_RE.fullmatch(value):
        errors["key"] = "use 1 to 64 lowercase letters, digits or underscores"
        return None
    return value


def _parse_text(value: Any, name: str, errors: dict[str, str], required: bool) -> str | None:
    """A stripped string field, required or optional."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = "is required"
        return None
    if not isinstance(value, str):
        errors[name] = "must be text"
        return None
    if len(value.strip()) > QUESTION_MAX * (4 if name == "help_text" else 1):
        errors[name] = "is too long"
        return None
    return value.strip()


def _parse_number(value: Any, name: str, errors: dict[str, str],
                  positive: bool = False, required: bool = True) -> Decimal | None:
    """A finite number field; optionally required to be > 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = "is required"
        return None
    try:
        number = to_decimal(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None
    if positive and number <= 0:
        errors[name] = "must be greater than 0"
        return None
    return number


def _parse_flag(value: Any, errors: dict[str, str]) -> bool | None:
    """The optional knockout flag (missing = False; form strings accepted)."""
    if value is None or value == "":
        return False
    try:
        return _parse_bool(value)
    except ValueError as exc:
        errors["knockout"] = str(exc)
        return None


def _parse_range(item: dict, errors: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    """Floor and target of a number criterion; they must differ."""
    floor = _parse_number(item.get("floor"), "floor", errors)
    target = _parse_number(item.get("target"), "target", errors)
    if floor is not None and target is not None and floor == target:
        errors["target"] = "must differ from floor"
    return floor, target


def _parse_options(value: Any, errors: dict[str, str]) -> tuple[tuple[str, Decimal], ...]:
    """Options of a choice criterion: unique non-empty values, points >= 0, one > 0."""
    if not isinstance(value, list) or not value:
        errors["options"] = "add at least one option"
        return ()
    options: list[tuple[str, Decimal]] = []
    taken: set[str] = set()
    for index, option in enumerate(value):
        parsed = _parse_option(option, f"options.{index}", errors, taken)
        if parsed is not None:
            options.append(parsed)
    if len(options) == len(value) and all(points == 0 for _, points in options):
        errors["options"] = "at least one option needs points greater than 0"
    return tuple(options)


def _parse_option(option: Any, prefix: str, errors: dict[str, str],
                  taken: set[str]) -> tuple[str, Decimal] | None:
    """One {value, points} option."""
    if not isinstance(option, dict):
        errors[prefix] = "must be an object with value and points"
        return None
    value = option.get("value")
    if not isinstance(value, str) or not value.strip():
        errors[f"{prefix}.value"] = "is required"
        value = None
    elif value.strip() in taken:
        errors[f"{prefix}.value"] = "is used by another option"
        value = None
    else:
        taken.add(value.strip())
    points = _parse_number(option.get("points"), f"{prefix}.points", errors)
    if points is not None and points < 0:
        errors[f"{prefix}.points"] = "must be 0 or more"
        points = None
    return None if value is None or points is None else (value.strip(), points)


# --- answers --------------------------------------------------------------------------------

def _parse_bool(value: Any) -> bool:
    """Accept booleans, 0/1 and yes/no/true/false/1/0 strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_STRINGS or text in FALSE_STRINGS:
            return text in TRUE_STRINGS
    raise ValueError("must be yes or no")


def _parse_scale(value: Any) -> int:
    """An integer 1..5."""
    try:
        number = to_decimal(value)
    except ValueError:
        raise ValueError("must be a whole number from 1 to 5") from None
    if number != number.to_integral_value() or not SCALE_MIN <= number <= SCALE_MAX:
        raise ValueError("must be a whole number from 1 to 5")
    return int(number)


def _parse_choice(c: Criterion, value: Any) -> str:
    """One of the criterion's option values."""
    values = [v for v, _ in c.options]
    if isinstance(value, str) and value.strip() in values:
        return value.strip()
    raise ValueError("must be one of " + ", ".join(values))


def is_unanswered(value: Any) -> bool:
    """None or a blank form string means unanswered."""
    return value is None or (isinstance(value, str) and not value.strip())


def clean_answer(c: Criterion, value: Any) -> bool | int | Decimal | str | None:
    """Normalise one answer for its criterion (None if unanswered) or raise ValueError."""
    if is_unanswered(value):
        return None
    if c.type == "boolean":
        return _parse_bool(value)
    if c.type == "scale":
        return _parse_scale(value)
    if c.type == "number":
        return to_decimal(value)
    if c.type == "choice":
        return _parse_choice(c, value)
    raise ValueError(f"unknown criterion type {c.type!r}")


def validate_answers(criteria: list[Criterion],
                     answers: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate answers {key: value}; returns (cleaned answered values, errors `answers.KEY`)."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        return {}, {"answers": "must be an object of key: value"}
    by_key = {c.key: c for c in criteria}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        if key not in by_key:
            errors[f"answers.{key}"] = "is not a criterion of this profile"
            continue
        try:
            answer = clean_answer(by_key[key], value)
        except ValueError as exc:
            errors[f"answers.{key}"] = str(exc)
            continue
        if answer is not None:
            cleaned[key] = answer
    return cleaned, errors


# --- scoring --------------------------------------------------------------------------------

def _score_fraction(c: Criterion, value: Any) -> Fraction | None:
    """Exact score s in [0, 1] of one answer, None if unanswered."""
    answer = clean_answer(c, value)
    if answer is None:
        return None
    if c.type == "boolean":
        return Fraction(int(answer))
    if c.type == "scale":
        return Fraction(answer - SCALE_MIN, SCALE_MAX - SCALE_MIN)
    if c.type == "number":
        ratio = (Fraction(answer) - Fraction(c.floor)) / (Fraction(c.target) - Fraction(c.floor))
        return min(max(ratio, Fraction(0)), Fraction(1))
    return Fraction(dict(c.options)[answer]) / Fraction(c.max_points)


def score_criterion(c: Criterion, value: Any) -> Decimal | None:
    """Score s in [0, 1] of one answer per DESIGN §2, None if unanswered."""
    score = _score_fraction(c, value)
    return None if score is None else _to_decimal_exact(score)


def band_for(score: Decimal) -> str:
    """Band of a (rounded) fit score, ignoring knockouts."""
    for band, threshold in BANDS:
        if score >= threshold:
            return band
    return BAND_NOT_A_FIT


def fit_score(criteria: list[Criterion], answers: dict[str, Any]) -> FitResult:
    """Score answers against criteria; keys not in criteria are ignored, bad values raise."""
    if not criteria:
        raise ValueError("a profile needs at least one criterion")
    total = answered = weighted = Fraction(0)
    knockouts: list[str] = []
    scores: list[tuple[str, Decimal | None]] = []
    for c in criteria:
        weight = Fraction(c.weight)
        score = _score_fraction(c, (answers or {}).get(c.key))
        total += weight
        if score is not None:
            answered += weight
            weighted += weight * score
            if c.knockout and score == 0:
                knockouts.append(c.key)
        scores.append((c.key, None if score is None else _to_decimal_exact(score)))
    rounded = _round_half_up(100 * weighted / total, 1)
    band = BAND_NOT_A_FIT if knockouts else band_for(rounded)
    return FitResult(fit_score=rounded, band=band, coverage=_round_half_up(answered / total, 3),
                     knockout_failed=tuple(knockouts), touch_model=TOUCH_BY_BAND[band],
                     criteria=tuple(scores))


def _clean_or_raw(c: Criterion, value: Any) -> Any:
    """Normalised answer when valid, else the raw value (so it still compares)."""
    try:
        return clean_answer(c, value)
    except ValueError:
        return value


def _safe_score(c: Criterion, value: Any) -> Decimal | None:
    """Score of an answer, None when unanswered or invalid."""
    try:
        return score_criterion(c, value)
    except ValueError:
        return None


def compare_answers(criteria: list[Criterion], vendor_answers: dict[str, Any],
                    self_answers: dict[str, Any]) -> list[Difference]:
    """Every criterion whose vendor and self answers differ (answered vs unanswered too)."""
    vendor_answers, self_answers = vendor_answers or {}, self_answers or {}
    differences = []
    for c in criteria:
        mine = _clean_or_raw(c, vendor_answers.get(c.key))
        theirs = _clean_or_raw(c, self_answers.get(c.key))
        if mine != theirs:
            differences.append(Difference(
                key=c.key, question=c.question, vendor_value=mine, self_value=theirs,
                vendor_score=_safe_score(c, mine), self_score=_safe_score(c, theirs)))
    return differences


# --- template -------------------------------------------------------------------------------

def default_template() -> list[dict[str, Any]]:
    """The IPP criteria a new tenant starts with (section-9 criterion dicts)."""
    return [
        {"key": "leadership_commitment", "type": "boolean", "weight": 3, "knockout": True,
         "question": "Is the partner's leadership committed to customer success?",
         "help_text": "An executive sponsor owns renewals and adoption, not only new sales."},
        {"key": "cs_roi_expectation", "type": "scale", "weight": 2, "knockout": False,
         "question": "What ROI does the partner expect from its customer-success investment?",
         "help_text": "1 = sees it as a cost centre, 5 = expects clear returns from renewals "
                      "and expansion."},
        {"key": "services_core", "type": "boolean", "weight": 2, "knockout": False,
         "question": "Are services a core part of the partner's business model?",
         "help_text": "Yes when recurring services revenue matters as much as resale."},
        {"key": "cs_practice_led", "type": "boolean", "weight": 2, "knockout": False,
         "question": "Is the customer-lifecycle practice led by a customer-success executive "
                     "with a dedicated team?",
         "help_text": "A named customer-success leader with staff who work only on adoption, "
                      "health and renewals."},
        {"key": "region", "type": "choice", "weight": 1, "knockout": False,
         "question": "Which region does the partner mainly cover?",
         "help_text": "Points reflect where the programme is investing.",
         "options": [{"value": "emea", "points": 10}, {"value": "na", "points": 10},
                     {"value": "apac", "points": 6}, {"value": "latam", "points": 6}]},
        {"key": "segments", "type": "choice", "weight": 1, "knockout": False,
         "question": "Which customer segments does the partner serve?",
         "help_text": "Choose the segment that brings most of the partner's revenue.",
         "options": [{"value": "smb", "points": 4}, {"value": "mid_market", "points": 8},
                     {"value": "enterprise", "points": 10}, {"value": "all", "points": 10}]},
        {"key": "certified_consultants", "type": "number", "weight": 2, "knockout": False,
         "floor": 0, "target": 10,
         "question": "How many certified consultants does the partner have?",
         "help_text": "Staff holding a current product certification; 10 or more scores in full."},
        {"key": "cs_headcount", "type": "number", "weight": 1, "knockout": False,
         "floor": 0, "target": 20,
         "question": "How many people work in the partner's customer-success team?",
         "help_text": "Full-time equivalents; 20 or more scores in full."},
    ]
