"""Every model, imported in one place for Alembic and the mapper registry."""
from app.api.models import IdempotencyKey  # noqa: F401
from app.api.ratestore import counters as rate_limit_counters  # noqa: F401
from app.audit.models import AuditEvent  # noqa: F401
from app.auth.models import ApiToken, EmailToken, LoginSession, Membership, User  # noqa: F401
from app.ipp.models import IppAssessment, IppPartnerSettings, IppProfile  # noqa: F401
from app.partners.models import Partner, RegionAssignment  # noqa: F401
from app.tenants.models import Tenant  # noqa: F401
from app.sso.models import SsoConnection, SsoDomain, SsoIdentity  # noqa: F401
from app.health.models import Agreement, Measurement, MetricDefinition  # noqa: F401
from app.tiers.models import QuarterClose, TierProgram  # noqa: F401
from app.accounts.models import (  # noqa: F401
    Account, AccountAssignment, AccountImport, ConflictResolution, Insight, SharingSetting,
)
from app.sharing.models import DataRequest  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.commplan.models import CommContact, CommMeeting, CommPlan  # noqa: F401
from app.enhancements.models import (  # noqa: F401
    EnhancementAccount, EnhancementRequest, EnhancementSupport, StatusEvent, UseCase,
)
from app.termchanges.models import TermChange  # noqa: F401
from app.reviews.models import ActionItem, Review  # noqa: F401
from app.opportunities.models import DealRegistration, Opportunity  # noqa: F401
from app.jobs.models import Job  # noqa: F401
from app.onboarding.models import OnboardingItem, OnboardingTemplateItem  # noqa: F401
from app.enablement.models import Completion, Course, Touch, TouchPlan, Touchpoint  # noqa: F401
