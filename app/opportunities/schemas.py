"""Request bodies of the opportunities and deal-registration API, as pydantic models."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.api.contract import Body, IsoDate, NonBlank, Number, Part, Uuid
from app.opportunities import rules

Version = Annotated[int, Field(description="the version you read")]
Amount = Number(ge=0, le=float(rules.MAX_AMOUNT), description="finite, non-negative; a decimal string keeps every digit")
Kind = Literal[rules.KINDS]  # type: ignore[valid-type]
Currency = Annotated[Literal[tuple(sorted(rules.CURRENCIES))], Field(description="ISO 4217 code")]  # type: ignore[misc]
Stage = Annotated[str, Field(description="a key of the workspace's stage list")]


class OpportunityFields(Body):
    """An opportunity's fields; each optional here (a PATCH sends what changes)."""

    kind: Kind = None
    product: NonBlank(200) = None
    amount: Amount = None
    currency: Currency = None
    expected_close: IsoDate = None
    stage: Stage = None
    next_step: str = None


class OpportunityIn(OpportunityFields):
    """A new opportunity on an account this side may see."""

    account_id: Uuid
    partner_id: str | None = Field(None, description="vendor staff: the partnership it is for")
    kind: Kind
    product: NonBlank(200)
    amount: Amount
    currency: Currency
    expected_close: IsoDate


class OpportunityChange(OpportunityFields):
    """Change an opportunity, with the version you read."""

    version: Version


class RegistrationIn(OpportunityFields):
    """Register an existing opportunity, or a new one on an account with its fields."""

    opportunity_id: Uuid = Field(None, description="register an existing opportunity")
    account_id: Uuid = Field(None, description="or create one on this account")


class StageIn(Part):
    key: str = None
    label: str = None
    outcome: Literal[rules.OUTCOMES] = None  # type: ignore[valid-type]


class SettingsIn(Body):
    """The stage list, the registration SLA (business days) and the protection period (days)."""

    stages: list[StageIn] = None
    sla_business_days: int = None
    protection_days: int = None
    extension_days: int = Field(None, description="the one extension of an approved registration's protection; "
                                                   "default: as long as the protection period")
    version: Version = None


class DecisionIn(Body):
    """An approval's note, and the version you read (both optional)."""

    note: str = None
    version: Version = None


class RejectionIn(Body):
    """A rejection, with the reason the partner reads."""

    note: NonBlank()
    version: Version = None


class ResolutionIn(Body):
    """How the account's ownership conflict is resolved."""

    resolution: Annotated[Literal["partner", "co_sell", "vendor_led"], Field(
        description="partner: this registering partner owns the account")]
    note: str = None


class ExtensionIn(Body):
    """The version you read (optional)."""

    version: Version = None


class OutcomeIn(Body):
    """Won or lost."""

    outcome: Literal["won", "lost"]
