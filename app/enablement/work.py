"""Overdue touchpoints for the cockpit's work queue (a branch of the queue's one statement)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.core.registry import Book, WorkItem, WorkQuery, work_columns
from app.enablement import rules, services
from app.enablement.models import Touchpoint
from app.enablement.policies import can_log_touch
from app.partners.models import Partner
from app.partners.policies import in_book

LOOK_BACK = timedelta(days=92)  # a touchpoint missed last quarter is still worth a call; older ones are history


def _partner(row) -> SimpleNamespace:
    """What can_log_touch reads of a partner (id, channel manager, region), from a work-queue row."""
    return SimpleNamespace(id=row.partner_id, channel_manager_id=row.manager_id, region=row.text2)


def work_items(actor: Actor, book: Book | None = None) -> list[WorkItem] | WorkQuery:
    if not (actor.is_partner_side or (actor.is_vendor and (actor.role in roles.MANAGING_ROLES
                                                            or actor.role == roles.CS_DEVELOPMENT_MANAGER))):
        return []
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else (book or Book())
    now = services.today()  # through the module, so a test's clock reaches it
    stmt = (select(*work_columns(ref=Touchpoint.id, text=Touchpoint.kind, day=Touchpoint.due, partner_id=Partner.id,
                                 name=Partner.name, manager_id=Partner.channel_manager_id, text2=Partner.region))
            .join(Partner, Partner.id == Touchpoint.partner_id)
            .where(Touchpoint.done_on.is_(None), Touchpoint.due < now, Touchpoint.due >= now - LOOK_BACK))

    def items(rows) -> list[WorkItem]:
        return [WorkItem("touchpoint_overdue",
                         f"{rules.KIND_LABELS[r.text]} with {r.name if actor.is_vendor else 'the vendor'} "
                         f"was due {r.day.isoformat()}",
                         f"/enablement/partners/{r.partner_id}/touches?period={r.day.year}-Q{(r.day.month - 1) // 3 + 1}",
                         due=r.day, urgent=True, partner_id=r.partner_id, detail="touch plan")
                for r in sorted(rows, key=lambda r: (r.day, r.ref)) if can_log_touch(actor, _partner(r))]

    return WorkQuery(in_book(stmt, mine), items)
