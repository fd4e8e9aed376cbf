"""Roles of DESIGN.md section 1."""
VENDOR_ADMIN = "vendor_admin"
CHANNEL_MANAGER = "channel_manager"
# Customer Success Development Manager (issue 14): vendor staff working with the partners of its
# regions (partners.region, assigned per membership in csdm_regions): reads like vendor staff, runs
# onboarding checklists, logs touches and training; never tiers, margins, closes, agreements or approvals.
CS_DEVELOPMENT_MANAGER = "cs_development_manager"
VENDOR_VIEWER = "vendor_viewer"
PARTNER_ADMIN = "partner_admin"
PARTNER_USER = "partner_user"

VENDOR_ROLES = (VENDOR_ADMIN, CHANNEL_MANAGER, CS_DEVELOPMENT_MANAGER, VENDOR_VIEWER)
PARTNER_ROLES = (PARTNER_ADMIN, PARTNER_USER)
ALL_ROLES = VENDOR_ROLES + PARTNER_ROLES
# Roles whose memberships can manage partners: the only ones a partner's channel_manager_id may
# name (API, form and term changes alike, through partners.services.channel_managers).
MANAGING_ROLES = (VENDOR_ADMIN, CHANNEL_MANAGER)

ROLE_LABELS = {
    VENDOR_ADMIN: "Vendor admin",
    CHANNEL_MANAGER: "Channel manager",
    CS_DEVELOPMENT_MANAGER: "CS development manager",
    VENDOR_VIEWER: "Vendor viewer",
    PARTNER_ADMIN: "Partner admin",
    PARTNER_USER: "Partner user",
}
