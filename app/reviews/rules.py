"""Pure review rules: canonical snapshot and hash, disputed metrics, calendar states. No Flask, no database."""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

DEFAULT_TOLERANCE_SHARE = Decimal("0.05")  # of |target - floor| (DESIGN section 7)
OVERDUE_AFTER_DAYS = 30
REMIND_DAYS = 7

NOT_OPENED, IN_PROGRESS, WAITING, SIGNED, OVERDUE = "not_opened", "in_progress", "waiting", "signed", "overdue"
STATE_LABELS = {NOT_OPENED: "Not opened", IN_PROGRESS: "In progress", WAITING: "Waiting for the other side",
                SIGNED: "Signed", OVERDUE: "Overdue"}


def canonical(data: object) -> str:
    """The one spelling of a snapshot: sorted keys, no spaces, UTF-8 text kept (hash its UTF-8 bytes)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tolerance(term: dict) -> Decimal:
    """The metric's own `tolerance` when its agreement gives one, else 5% of |target - floor|."""
    if term.get("tolerance") not in (None, ""):
        return abs(Decimal(str(term["tolerance"])))
    return abs(Decimal(str(term["target"])) - Decimal(str(term["floor"]))) * DEFAULT_TOLERANCE_SHARE


def disputed(term: dict, vendor_value: Decimal | None, partner_value: Decimal | None) -> bool:
    """Both sides recorded a value and they differ by more than the tolerance."""
    if vendor_value is None or partner_value is None:
        return False
    return abs(vendor_value - partner_value) > tolerance(term)


def review_overdue(quarter_end: date, today: date) -> bool:
    """Whether an unsigned review of the quarter ending `quarter_end` is overdue on `today`."""
    return today > quarter_end + timedelta(days=OVERDUE_AFTER_DAYS)


def quarter_state(opened: bool, vendor_signed: bool, partner_signed: bool, quarter_end: date, today: date) -> str:
    """A partnership's review state for the calendar."""
    if vendor_signed and partner_signed:
        return SIGNED
    if review_overdue(quarter_end, today):
        return OVERDUE
    if not opened:
        return NOT_OPENED
    if vendor_signed or partner_signed:
        return WAITING
    return IN_PROGRESS


def item_overdue(status: str, due: date, today: date) -> bool:
    return status == "open" and due < today


def item_due_soon(status: str, due: date, today: date) -> bool:
    return status == "open" and today <= due <= today + timedelta(days=REMIND_DAYS)
