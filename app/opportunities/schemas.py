"""Request bodies and answers of the opportunities and deal-registration API, as pydantic models."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.api.contract import Body, IsoDate, IsoDateTime, NonBlank, Number, Out, Part, Period, Uuid
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


# -- answers ---------------------------------------------------------------------------------------

Outcome = Literal[rules.OUTCOMES]  # type: ignore[valid-type]


class AccountRefOut(Out):
    """The account an opportunity is on (name and domain whenever the account is found)."""

    id: Uuid
    name: str = None
    domain: str | None = None


class OpportunityOut(Out):
    """An opportunity as the caller's side reads it."""

    id: Uuid
    account: AccountRefOut
    side: Literal["vendor", "partner"]
    partner_id: Uuid | None
    kind: Kind
    product: str
    amount: Annotated[float, Field(ge=0, description="the amount, to the cent")]
    currency: Currency
    expected_close: IsoDate
    quarter: Period
    stage: Stage
    stage_outcome: Outcome
    next_step: str
    version: int
    created_at: IsoDateTime
    can_edit: bool
    can_register: bool
    registration_id: Uuid | None


class OpportunityPage(Out):
    """A page of opportunities and the cursor of the next (null on the last page)."""

    items: list[OpportunityOut]
    next_cursor: str | None


class PartnerRefOut(Out):
    id: Uuid
    name: str


class ReasonOut(Out):
    """Why a registration conflicts: partner staff read "vendor" or "another partner" and the message."""

    code: str
    with_: Literal["vendor", "another partner"] = Field(alias="with")
    message: str
    partners: list[PartnerRefOut] = Field(None, description="vendor staff only: the partners it is with")


class CheckOut(Out):
    outcome: Literal["clear", "conflict"]
    reasons: list[ReasonOut]


class RegistrationOut(Out):
    """A deal registration as the caller's side reads it."""

    id: Uuid
    opportunity: OpportunityOut
    status: Literal[rules.REG_STATUSES]  # type: ignore[valid-type]
    check: CheckOut
    submitted_at: IsoDateTime
    decision_due: IsoDate
    overdue: bool
    protected_until: IsoDate | None
    extended: bool
    decision_note: str
    version: int
    can_decide: bool
    can_extend: bool
    can_record_outcome: bool
    partner: PartnerRefOut = Field(None, description="vendor staff only: the registering partner")


class RegistrationPage(Out):
    """A page of registrations and the cursor of the next (null on the last page)."""

    items: list[RegistrationOut]
    next_cursor: str | None


class SumOut(Out):
    currency: Currency
    count: int
    amount: float


class StageSumOut(SumOut):
    stage: Stage
    label: str


class QuarterSumOut(SumOut):
    quarter: Period


class KindSumOut(SumOut):
    kind: Kind
    label: str


class PipelineOut(Out):
    """Open opportunities summed by stage, quarter and kind per currency; open and won totals per currency."""

    by_stage: list[StageSumOut]
    by_quarter: list[QuarterSumOut]
    by_kind: list[KindSumOut]
    open: list[SumOut]
    won: list[SumOut]


class StageOut(Out):
    key: str
    label: str
    outcome: Outcome


class SettingsOut(Out):
    """The stage list, the registration SLA (business days) and the protection period (days)."""

    stages: list[StageOut]
    sla_business_days: int
    protection_days: int
    extension_days: int = Field(description="the one extension of an approved registration's protection")


class SettingsRead(SettingsOut):
    """The settings and the version to send back with a change."""

    version: int
