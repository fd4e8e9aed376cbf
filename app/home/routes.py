"""Where each role lands after sign-in."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import require
from app.core.registry import PARTNER_HOME_PANELS, render_panels
from app.extensions import db
from app.home import bp
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404


@bp.get("/")
def index():
    actor = current_actor()
    if actor.is_partner_side:
        return redirect(url_for("home.partner_home"))
    by_status = dict(db.session.execute(select(Partner.status, func.count()).group_by(Partner.status)).all())
    by_tier = db.session.execute(
        select(Partner.tier, func.count()).group_by(Partner.tier).order_by(Partner.tier)).all()
    mine = []
    if actor.role == "channel_manager":
        mine = db.session.scalars(select(Partner).where(Partner.channel_manager_id == actor.membership.id)
                                  .order_by(Partner.name)).all()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(8)).all()
    return render_template("home/vendor.html", by_status=by_status, by_tier=by_tier, mine=mine, events=events,
                           total=sum(by_status.values()))


@bp.get("/home")
def partner_home():
    """The partner's own summary: tier, channel manager, what is shared with it, its people."""
    actor = current_actor()
    require(actor.is_partner_side)
    partner = get_partner_or_404(actor, actor.partner_id)
    manager = None
    if partner.channel_manager_id:
        manager = db.session.execute(select(User).join(Membership, Membership.user_id == User.id)
                                     .where(Membership.id == partner.channel_manager_id)).scalar()
    people = db.session.execute(select(Membership, User).join(User, User.id == Membership.user_id)
                                .where(Membership.partner_id == partner.id).order_by(User.email)).all()
    return render_template("home/partner.html", partner=partner, manager=manager, people=people,
                           panels=render_panels(PARTNER_HOME_PANELS, actor, partner))


@bp.get("/docs/api")
def api_reference():
    """The API reference, rendered from /api/v1/openapi.json by the vendored Swagger UI (no sign-in)."""
    return render_template("home/api_reference.html")
