"""Sharing levels and directions, and their names (pure: no Flask, no database)."""

VENDOR_TO_PARTNER = "vendor_to_partner"
PARTNER_TO_VENDOR = "partner_to_vendor"
DIRECTIONS = (VENDOR_TO_PARTNER, PARTNER_TO_VENDOR)
LEVELS = ("none", "counts", "overlaps", "fields", "full")
DEFAULT_LEVELS = {VENDOR_TO_PARTNER: "overlaps", PARTNER_TO_VENDOR: "counts"}
LEVEL_LABELS = {
    "none": "Nothing",
    "counts": "Counts only",
    "overlaps": "Shared customers (name and domain)",
    "fields": "Shared customers with chosen fields",
    "full": "Everything assigned to the partnership",
}
