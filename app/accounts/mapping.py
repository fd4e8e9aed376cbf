"""Pure account mapping reference (DESIGN §3): the brute-force oracle for overlap queries.

Vendor and partner accounts overlap when their normalised domains are equal. Inputs may be raw
or already normalised (normalise_domain is idempotent); None, blank or invalid domains never
match anything, not even each other.
"""
from __future__ import annotations

from collections.abc import Iterable

from app.accounts.domains import normalise_domain


def overlap_domains(vendor_domains: Iterable[str | None],
                    partner_domains: Iterable[str | None]) -> set[str]:
    """Return the normalised domains present on both sides."""
    vendor = {normalise_domain(d) for d in vendor_domains}
    partner = {normalise_domain(d) for d in partner_domains}
    return (vendor & partner) - {None}
