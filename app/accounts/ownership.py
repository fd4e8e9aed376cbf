"""Segment thresholds and the owner model per segment, read from a tenant's settings (pure)."""
from __future__ import annotations

from dataclasses import dataclass

from app.accounts.domains import DEFAULT_SEGMENT_THRESHOLDS, SEGMENTS

OWNER_MODELS = ("partner_led", "co_sell", "vendor_led")
OWNER_MODEL_LABELS = {"partner_led": "Partner-led", "co_sell": "Co-sell", "vendor_led": "Vendor-led"}
SEGMENT_LABELS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}
DEFAULT_OWNER_MODELS = {"smb": "partner_led", "mid_market": "co_sell", "enterprise": "vendor_led"}


@dataclass(frozen=True)
class SegmentSettings:
    thresholds: tuple[int, int]
    owner_models: dict[str, str]

    def as_json(self) -> dict:
        return {"thresholds": list(self.thresholds), "owner_models": dict(self.owner_models)}

    @property
    def partner_led_segments(self) -> tuple[str, ...]:
        return tuple(s for s in SEGMENTS if self.owner_models.get(s) == "partner_led")


def segment_settings(settings: dict | None) -> SegmentSettings:
    """The tenant's segment settings (settings["accounts"]), defaults where unset or malformed."""
    raw = (settings or {}).get("accounts") or {}
    thresholds = raw.get("thresholds")
    if not (isinstance(thresholds, list) and len(thresholds) == 2
            and all(isinstance(t, int) for t in thresholds) and 0 <= thresholds[0] <= thresholds[1]):
        thresholds = DEFAULT_SEGMENT_THRESHOLDS
    models = dict(DEFAULT_OWNER_MODELS)
    for seg, model in (raw.get("owner_models") or {}).items():
        if seg in SEGMENTS and model in OWNER_MODELS:
            models[seg] = model
    return SegmentSettings(tuple(thresholds), models)
