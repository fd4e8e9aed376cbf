"""Insight kinds, their fields and validation, and the success chain (DESIGN §3). Pure: no Flask,
no database.

An insight is a kind plus a small dict of typed fields. Renewals are the links of the account's
success chain: ordered by due date, a `missed` or `churned` renewal breaks the chain at that link.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

KIND_LABELS = {
    "engagement": "Engagement touchpoint",
    "intent": "Intent signal",
    "outcome": "Business outcome",
    "renewal": "Renewal",
    "opportunity": "Opportunity",
    "product_note": "Product note",
    "competitive_note": "Competitive note",
    "playbook_feedback": "Playbook feedback",
}
KINDS = tuple(KIND_LABELS)

# field -> (type, required, choices or None); type is text, date, amount or choice.
KIND_FIELDS: dict[str, dict[str, tuple[str, bool, tuple[str, ...] | None]]] = {
    "engagement": {"date": ("date", True, None),
                   "type": ("choice", True, ("meeting", "call", "email", "event", "workshop", "qbr", "support")),
                   "who": ("text", True, None), "notes": ("text", False, None)},
    "intent": {"date": ("date", True, None), "signal": ("text", True, None),
               "strength": ("choice", True, ("low", "medium", "high")), "notes": ("text", False, None)},
    "outcome": {"date": ("date", True, None), "outcome": ("text", True, None),
                "metric": ("text", False, None), "value": ("text", False, None)},
    "renewal": {"due_date": ("date", True, None),
                "status": ("choice", True, ("upcoming", "renewed", "missed", "churned")),
                "amount": ("amount", False, None), "notes": ("text", False, None)},
    "opportunity": {"type": ("choice", True, ("cross_sell", "upsell")),
                    "stage": ("choice", True, ("identified", "qualified", "proposal", "won", "lost")),
                    "amount": ("amount", False, None), "close_date": ("date", False, None),
                    "product": ("text", False, None)},
    "product_note": {"date": ("date", False, None), "product": ("text", False, None), "note": ("text", True, None)},
    "competitive_note": {"date": ("date", False, None), "competitor": ("text", True, None),
                         "note": ("text", True, None)},
    "playbook_feedback": {"date": ("date", False, None), "playbook": ("text", True, None),
                          "rating": ("choice", True, ("1", "2", "3", "4", "5")), "feedback": ("text", False, None)},
}
DATE_FIELD = {"renewal": "due_date", "opportunity": "close_date"}  # the rest use "date"
TEXT_MAX = 1000
BREAKING = ("missed", "churned")


def validate_insight(kind: str, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean fields for kind: (data as JSON-safe strings, {field: message})."""
    if kind not in KIND_FIELDS:
        return {}, {"kind": f"Use one of: {', '.join(KINDS)}."}
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, (ftype, required, choices) in KIND_FIELDS[kind].items():
        value = raw.get(name)
        if ftype == "amount" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        elif value is not None and not isinstance(value, str):
            errors[name] = "must be text" if ftype != "amount" else "Use a non-negative amount like 12500.00."
            continue
        value = "" if value is None else value.strip()
        if not value:
            if required:
                errors[name] = "Fill this in."
            continue
        if ftype == "text":
            if len(value) > TEXT_MAX:
                errors[name] = f"Use at most {TEXT_MAX} characters."
            elif "\x00" in value:
                errors[name] = "Contains a NUL character."
            else:
                data[name] = value
        elif ftype == "date":
            try:
                if len(value) != 10:  # fromisoformat would also take week dates and times
                    raise ValueError(value)
                data[name] = date.fromisoformat(value).isoformat()
            except ValueError:
                errors[name] = "Use a date like 2026-03-31."
        elif ftype == "amount":
            try:
                amount = Decimal(value)
                if not amount.is_finite() or amount < 0 or amount > Decimal("1e13"):
                    raise InvalidOperation
                data[name] = str(amount.quantize(Decimal("0.01")))
            except (InvalidOperation, ValueError):
                errors[name] = "Use a non-negative amount like 12500.00."
        else:
            if value not in choices:
                errors[name] = f"Use one of: {', '.join(choices)}."
            else:
                data[name] = value
    unknown = set(raw) - set(KIND_FIELDS[kind]) - {"kind"}
    for name in sorted(unknown):
        errors[name] = f"Not a field of a {kind} insight."
    return data, errors


def occurred_on(kind: str, data: dict[str, Any]) -> date | None:
    """The date an insight is placed at on timelines."""
    value = data.get(DATE_FIELD.get(kind, "date"))
    return date.fromisoformat(value) if value else None


def summary(kind: str, data: dict[str, Any]) -> str:
    """One line for lists."""
    parts = [str(data[k]) for k in KIND_FIELDS.get(kind, {}) if data.get(k) and KIND_FIELDS[kind][k][0] != "date"]
    return " · ".join(parts)


@dataclass(frozen=True)
class ChainLink:
    """One renewal of the success chain, with whether the chain is broken at it."""
    due: date
    status: str
    amount: str | None
    broken: bool  # this renewal was missed or churned
    after_break: bool  # an earlier link is broken


def success_chain(renewals: list[dict[str, Any]]) -> list[ChainLink]:
    """Renewal links ordered by due date; missed or churned ones are marked broken."""
    links = sorted((r for r in renewals if r.get("due_date")), key=lambda r: r["due_date"])
    out: list[ChainLink] = []
    seen_break = False
    for r in links:
        broken = r.get("status") in BREAKING
        out.append(ChainLink(date.fromisoformat(r["due_date"]), r.get("status", ""), r.get("amount"),
                             broken, seen_break))
        seen_break = seen_break or broken
    return out
