"""Opportunity and deal-registration rules (pure: no Flask, no database).

Kinds, ISO 4217 currencies, amounts, the per-tenant stage list, business days for the approval
SLA, the protection clock and the registration check against ownership rules, existing
registrations and open vendor opportunities.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

KINDS = ("cross_sell", "upsell", "renewal", "services")
KIND_LABELS = {"cross_sell": "Cross-sell", "upsell": "Upsell", "renewal": "Renewal", "services": "Services"}

# ISO 4217 active codes (2024 list, funds and precious metals left out).
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF
XPF YER ZAR ZMW ZWL
""".split())

MAX_AMOUNT = Decimal("9999999999999.99")  # Numeric(15, 2): PostgreSQL refuses 10**13 and more
CENT = Decimal("0.01")

# A stage is open, or closes the opportunity as won or lost.
OPEN, WON, LOST = "open", "won", "lost"
OUTCOMES = (OPEN, WON, LOST)
DEFAULT_STAGES = (
    {"key": "identified", "label": "Identified", "outcome": OPEN},
    {"key": "qualified", "label": "Qualified", "outcome": OPEN},
    {"key": "proposal", "label": "Proposal", "outcome": OPEN},
    {"key": "negotiation", "label": "Negotiation", "outcome": OPEN},
    {"key": "won", "label": "Won", "outcome": WON},
    {"key": "lost", "label": "Lost", "outcome": LOST},
)
DEFAULT_SLA_BUSINESS_DAYS = 2
DEFAULT_PROTECTION_DAYS = 90
SLA_RANGE = (1, 60)
PROTECTION_RANGE = (1, 730)
EXTENSION_RANGE = (1, 730)  # the one extension; unset, it is as long as the protection period

# Registration statuses; "expired" is also what an approved one reads as once its protection ends.
PENDING, APPROVED, REJECTED, EXPIRED = "pending", "approved", "rejected", "expired"
REG_WON, REG_LOST = "won", "lost"
REG_STATUSES = (PENDING, APPROVED, REJECTED, EXPIRED, REG_WON, REG_LOST)
ACTIVE_REG_STATUSES = (PENDING, APPROVED)  # those that claim an account against other partners


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    outcome: str


@dataclass(frozen=True)
class OpportunitySettings:
    stages: tuple[Stage, ...]
    sla_business_days: int
    protection_days: int
    extension_days: int

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    @property
    def open_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.stages if s.outcome == OPEN)

    def first_with(self, outcome: str) -> Stage | None:
        return next((s for s in self.stages if s.outcome == outcome), None)

    def as_json(self) -> dict:
        return {"stages": [{"key": s.key, "label": s.label, "outcome": s.outcome} for s in self.stages],
                "sla_business_days": self.sla_business_days, "protection_days": self.protection_days,
                "extension_days": self.extension_days}


def default_settings() -> dict:
    return {"stages": [dict(s) for s in DEFAULT_STAGES], "sla_business_days": DEFAULT_SLA_BUSINESS_DAYS,
            "protection_days": DEFAULT_PROTECTION_DAYS, "extension_days": DEFAULT_PROTECTION_DAYS}


def _whole(value: object, low: int, high: int, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return default


def opportunity_settings(settings: dict | None) -> OpportunitySettings:
    """The tenant's settings["opportunities"], defaults wherever unset or malformed."""
    raw = (settings or {}).get("opportunities") or {}
    stages: list[Stage] = []
    for item in raw.get("stages") or ():
        if (isinstance(item, dict) and isinstance(item.get("key"), str) and item["key"]
                and item.get("outcome") in OUTCOMES and all(s.key != item["key"] for s in stages)):
            stages.append(Stage(item["key"], str(item.get("label") or item["key"]), item["outcome"]))
    if not any(s.outcome == OPEN for s in stages) or not any(s.outcome == WON for s in stages) \
            or not any(s.outcome == LOST for s in stages):
        stages = [Stage(**s) for s in DEFAULT_STAGES]
    protection = _whole(raw.get("protection_days"), *PROTECTION_RANGE, DEFAULT_PROTECTION_DAYS)
    return OpportunitySettings(tuple(stages), _whole(raw.get("sla_business_days"), *SLA_RANGE, DEFAULT_SLA_BUSINESS_DAYS),
                               protection, _whole(raw.get("extension_days"), *EXTENSION_RANGE, protection))


STAGE_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
MAX_STAGES = 20


def clean_settings(raw: object) -> tuple[dict, dict]:
    """A new settings["opportunities"] from a client: (settings, {field: message})."""
    errors: dict = {}
    if not isinstance(raw, dict):
        return {}, {"body": "Send stages, sla_business_days and protection_days."}
    stages = raw.get("stages")
    clean: list[dict] = []
    if not isinstance(stages, list) or not 3 <= len(stages) <= MAX_STAGES:
        errors["stages"] = f"Send 3 to {MAX_STAGES} stages."
    else:
        for i, item in enumerate(stages):
            key = item.get("key") if isinstance(item, dict) else None
            label = item.get("label") if isinstance(item, dict) else None
            outcome = item.get("outcome") if isinstance(item, dict) else None
            if not isinstance(key, str) or not 1 <= len(key) <= 32 or not set(key) <= STAGE_KEY_CHARS:
                errors[f"stages.{i}.key"] = "Use 1 to 32 lower-case letters, digits or underscores."
            elif any(s["key"] == key for s in clean):
                errors[f"stages.{i}.key"] = "Each stage needs its own key."
            elif outcome not in OUTCOMES:
                errors[f"stages.{i}.outcome"] = f"Use one of: {', '.join(OUTCOMES)}."
            elif label is not None and (not isinstance(label, str) or len(label) > 60):
                errors[f"stages.{i}.label"] = "Use at most 60 characters."
            else:
                clean.append({"key": key, "label": (label or key.replace("_", " ").capitalize()).strip(),
                              "outcome": outcome})
        if not errors and {s["outcome"] for s in clean} != set(OUTCOMES):
            errors["stages"] = "Keep at least one open, one won and one lost stage."
    out = {"stages": clean}
    for name, (low, high) in (("sla_business_days", SLA_RANGE), ("protection_days", PROTECTION_RANGE),
                              ("extension_days", EXTENSION_RANGE)):
        value = raw.get(name)
        if name == "extension_days" and value is None:
            value = out.get("protection_days")  # unset: the extension is as long as the protection period
            if value is None:
                continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"Use a whole number from {low} to {high}."
        else:
            out[name] = value
    return out, errors


def parse_amount(value: object) -> Decimal:
    """A finite, non-negative amount to the cent; ValueError with a message otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError("Use a non-negative amount like 12500.00.")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValueError("Use a non-negative amount like 12500.00.") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("Use a finite, non-negative amount like 12500.00.")
    if amount > MAX_AMOUNT:
        raise ValueError("Use an amount below 10,000,000,000,000.")
    return amount.quantize(CENT)


def parse_currency(value: object) -> str:
    if not isinstance(value, str) or value.strip().upper() not in CURRENCIES:
        raise ValueError("Use an ISO 4217 currency code such as EUR or USD.")
    return value.strip().upper()


def quarter_of(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days (Monday to Friday) after `start`."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def effective_status(status: str, protected_until: date | None, today: date) -> str:
    """An approved registration whose protection has ended reads as expired, by the clock alone."""
    if status == APPROVED and protected_until is not None and today > protected_until:
        return EXPIRED
    return status


def is_overdue(status: str, decision_due: date | None, today: date) -> bool:
    return status == PENDING and decision_due is not None and today > decision_due


# -- the registration check ----------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """Why a registration is in conflict (or a note when clear): `with_side` is vendor or partner;
    `partner_ids` name the other partners for vendor staff only (views redact them)."""
    code: str
    with_side: str
    message: str
    partner_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckInput:
    partner_id: str  # the registering partner
    segment: str | None  # the account's segment
    owner_model: str | None  # the segment's owner model (partner_led, co_sell, vendor_led)
    resolution: str | None = None  # the domain's ConflictResolution: partner, co_sell, vendor_led
    resolution_partner_id: str | None = None
    claiming_partner_ids: tuple[str, ...] = ()  # other partners with the domain in a partner-led segment
    registered_partner_ids: tuple[str, ...] = ()  # other partners with an active registration of the account
    open_vendor_opportunities: int = 0


@dataclass(frozen=True)
class CheckResult:
    outcome: str  # clear | conflict
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {"outcome": self.outcome, "reasons": [
            {"code": r.code, "with": r.with_side, "message": r.message, "partner_ids": list(r.partner_ids)}
            for r in self.reasons]}


ANOTHER_PARTNER = "another partner"


def check_registration(data: CheckInput) -> CheckResult:
    """Clear, or conflict with whom and why (DESIGN §3 and 7a).

    A vendor resolution of the account's domain comes first: in this partner's favour it clears
    everything; for another partner or vendor-led it is a conflict; co-sell clears ownership.
    Without one the segment's owner model decides ownership (vendor-led is a conflict with the
    vendor); other partners' claims and active registrations, and open vendor opportunities, are
    conflicts too.
    """
    conflicts: list[Reason] = []
    notes: list[Reason] = []
    seg = (data.segment or "unknown").replace("_", "-")
    if data.resolution == "partner" and data.resolution_partner_id == data.partner_id:
        return CheckResult("clear", (Reason("resolved_for_you", "vendor",
                                            "The vendor resolved this account's ownership in your favour."),))
    if data.resolution == "partner":
        conflicts.append(Reason("resolved_for_other", "partner",
                                f"The vendor resolved this account's ownership for {ANOTHER_PARTNER}.",
                                (data.resolution_partner_id,) if data.resolution_partner_id else ()))
    elif data.resolution == "vendor_led":
        conflicts.append(Reason("resolved_vendor_led", "vendor", "The vendor resolved this account as vendor-led."))
    elif data.resolution == "co_sell":
        notes.append(Reason("resolved_co_sell", "vendor", "The vendor resolved this account as co-sell."))
    elif data.owner_model == "vendor_led":
        conflicts.append(Reason("vendor_led_segment", "vendor",
                                f"The account is in the {seg} segment, which the vendor leads."))
    elif data.owner_model == "co_sell":
        notes.append(Reason("co_sell_segment", "vendor", f"The {seg} segment is co-sold with the vendor."))
    if data.resolution is None and data.claiming_partner_ids:
        conflicts.append(Reason("channel_conflict", "partner",
                                f"The account is also claimed as partner-led by {ANOTHER_PARTNER}.",
                                tuple(sorted(set(data.claiming_partner_ids)))))
    if data.registered_partner_ids:
        conflicts.append(Reason("registered_by_other", "partner",
                                f"The account already has a registration by {ANOTHER_PARTNER}.",
                                tuple(sorted(set(data.registered_partner_ids)))))
    if data.open_vendor_opportunities:
        conflicts.append(Reason("vendor_opportunity", "vendor",
                                "The vendor is already working an open opportunity on this account."))
    if conflicts:
        return CheckResult("conflict", tuple(conflicts + notes))
    return CheckResult("clear", tuple(notes))
