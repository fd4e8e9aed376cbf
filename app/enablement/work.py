"""Overdue touchpoints for the cockpit's work queue (one statement)."""
from __future__ import annotations

from app.auth import roles
from app.auth.context import Actor
from app.core.registry import Book, WorkItem
from app.enablement import rules
from app.enablement.services import overdue_touchpoints


def work_items(actor: Actor, book: Book | None = None) -> list[WorkItem]:
    book = book or Book()
    if not (actor.is_partner_side or (actor.is_vendor and actor.role in roles.MANAGING_ROLES)):
        return []
    rows = overdue_touchpoints(manager_id=book.manager_id, partner_id=book.partner_id)
    return [WorkItem("touchpoint_overdue", f"{rules.KIND_LABELS[p.kind]} with {name} was due {p.due.isoformat()}",
                     f"/enablement/partners/{p.partner_id}/touches?period={p.due.year}-Q{(p.due.month - 1) // 3 + 1}",
                     due=p.due, urgent=True, partner_id=p.partner_id, detail="touch plan")
            for p, name in rows]
