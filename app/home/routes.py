"""Where each role lands after sign-in: the vendor cockpit and the partner-side home."""
from __future__ import annotations

import uuid

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import and_, or_, select

from app.auth import roles
from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import require
from app.core.registry import (PARTNER_HOME_PANELS, WORK_KINDS, page_panels, render_panels, work_items,
                               work_queue)
from app.extensions import db
from app.home import bp
from app.home.activity import feed
from app.partners.models import Partner
from app.partners.policies import book_for, partners_by_status, scope_partners

QUEUE_PER_KIND = 8  # a long list of one kind is cut with "and N more"


def _managers() -> list[tuple[uuid.UUID, str]]:
    return [(mid, name or email) for mid, name, email in db.session.execute(
        select(Membership.id, User.name, User.email).join(User, User.id == Membership.user_id)
        .where(Membership.role == roles.CHANNEL_MANAGER, Membership.partner_id.is_(None))
        .order_by(User.name, User.email))]


def _queue(items, unbuilt: dict | None = None) -> list[dict]:
    """Items grouped by kind, in the order the first of each kind appears (urgent kinds first);
    `unbuilt`: kind -> items of it that work_queue did not build (counted in "and N more")."""
    groups: dict[str, dict] = {}
    for item in items:
        group = groups.setdefault(item.kind, {"kind": item.kind, "items": [], "more": 0})
        if len(group["items"]) < QUEUE_PER_KIND:
            group["items"].append(item)
        else:
            group["more"] += 1
    for group in groups.values():
        group["more"] += (unbuilt or {}).get(group["kind"], 0)
    return list(groups.values())


@bp.get("/")
def index():
    """The vendor cockpit: what needs me today (the work queue every feature fills) and how the
    book is doing (the sections features add to `home.cockpit`), then the activity feed."""
    actor = current_actor()
    if actor.is_partner_side:
        return redirect(url_for("home.partner_home"))
    require(actor.is_vendor)
    managers = _managers() if actor.role != roles.CHANNEL_MANAGER else []
    chosen = None
    if managers and request.args.get("manager"):
        try:
            wanted = uuid.UUID(request.args["manager"])
        except ValueError:
            wanted = None
        chosen = wanted if any(mid == wanted for mid, _ in managers) else None
    book = book_for(actor, chosen)
    # Only the first QUEUE_PER_KIND of a kind are shown: the sources that can be cut build no more.
    items, unbuilt = work_queue(actor, book, QUEUE_PER_KIND)
    by_status = partners_by_status(book)
    return render_template("home/vendor.html", book=book, managers=managers, chosen=chosen,
                           queue=_queue(items, unbuilt), kinds=WORK_KINDS,
                           queue_total=len(items) + sum(unbuilt.values()), by_status=by_status, total=sum(by_status.values()),
                           panels=render_panels(page_panels("home.cockpit"), actor, book),
                           events=feed(actor.tenant.name))


@bp.get("/home")
def partner_home():
    """The partner's own summary: its work queue, tier, channel manager, what is shared with it, its people."""
    actor = current_actor()
    require(actor.is_partner_side)
    # The partner (as get_partner_or_404 scopes it), its people and its channel manager, in one statement.
    found = db.session.execute(scope_partners(actor, select(Partner, Membership, User)
                               .outerjoin(Membership, and_(Membership.tenant_id == Partner.tenant_id, or_(
                                   Membership.partner_id == Partner.id, Membership.id == Partner.channel_manager_id)))
                               .outerjoin(User, User.id == Membership.user_id)
                               .where(Partner.id == actor.partner_id).order_by(User.email))).all()
    if not found:
        abort(404)
    partner = found[0][0]
    people = [(m, user) for _, m, user in found if m is not None and m.partner_id == partner.id]
    manager = next((user for _, m, user in found
                    if m is not None and partner.channel_manager_id and m.id == partner.channel_manager_id), None)
    items = work_items(actor, book_for(actor))
    return render_template("home/partner.html", partner=partner, manager=manager, people=people,
                           queue=_queue(items), kinds=WORK_KINDS, queue_total=len(items),
                           panels=render_panels(PARTNER_HOME_PANELS, actor, partner))


@bp.get("/docs/api")
def api_reference():
    """The API reference, rendered from /api/v1/openapi.json by the vendored Swagger UI (no sign-in)."""
    return render_template("home/api_reference.html")
