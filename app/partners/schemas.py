"""Request bodies of the partners API, as pydantic models: they validate and document the same shape."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.api.contract import Body, Filled, Number, Out, Uuid
from app.auth.roles import ALL_ROLES
from app.partners.models import PARTNER_STATUSES, REGIONS, SEGMENTS


class PartnerFields(Body):
    """The fields a partner is made of; each is optional here (PATCH sends only what changes)."""

    status: Literal[PARTNER_STATUSES] = None  # type: ignore[valid-type]
    region: Literal[REGIONS] | None = None  # type: ignore[valid-type]
    segments: list[Literal[SEGMENTS]] = None  # type: ignore[valid-type]
    certifications: list[Annotated[str, StringConstraints(max_length=100)]] = None
    services_revenue_share: Number(ge=0, le=100) | None = None
    website: Annotated[str, StringConstraints(max_length=300, pattern="^https?://")] | None = None
    channel_manager_id: Uuid | None = Field(
        None, description="a vendor membership whose role manages partners (vendor admin only)")


class PartnerIn(PartnerFields):
    """Create a partner."""

    name: Filled(200)


class PartnerChange(PartnerFields):
    """Change a partner: the version you read, and the fields that change."""

    version: int
    name: Filled(200) = None


class PartnerOut(Out):
    """A partner as the API answers it."""

    id: Uuid
    name: str
    tier: str | None
    status: Literal[PARTNER_STATUSES]  # type: ignore[valid-type]
    region: Literal[REGIONS] | None  # type: ignore[valid-type]
    segments: list[Literal[SEGMENTS]]  # type: ignore[valid-type]
    certifications: list[str]
    services_revenue_share: float | None
    website: str | None
    channel_manager_id: Uuid | None
    version: int


class PartnerPage(Out):
    """A page of partners and the cursor of the next (null on the last page)."""

    items: list[PartnerOut]
    next_cursor: str | None


class UserOut(Out):
    email: str
    name: str


class TenantOut(Out):
    slug: str
    name: str


class PartnerRef(Out):
    id: Uuid
    name: str


class MeOut(Out):
    """The token's user, tenant, role and partner (null for vendor staff)."""

    user: UserOut
    tenant: TenantOut
    role: Literal[ALL_ROLES]  # type: ignore[valid-type]
    partner: PartnerRef | None


class RegionAssignmentOut(Out):
    """A CS Development Manager and the regions it covers."""

    membership_id: Uuid
    email: str
    name: str
    regions: list[Literal[REGIONS]]  # type: ignore[valid-type]


class RegionAssignmentList(Out):
    """Every CS Development Manager with its regions, by name."""

    items: list[RegionAssignmentOut]
