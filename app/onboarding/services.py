"""Onboarding: the tenant's template, starting a partner's checklist, ticking items, what the
system sees done, and the programme's progress. Every change is audited; services only flush."""
from __future__ import annotations

import re
import uuid

from sqlalchemy import func, literal, select, union_all

from app.audit.services import record
from app.auth.context import Actor
from app.commplan.models import CommContact
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.extensions import db
from app.health.models import Agreement
from app.ipp.models import IppAssessment
from app.onboarding.models import DEFAULT_ITEMS, DETECTORS, TITLE_MAX, OnboardingItem, OnboardingTemplateItem
from app.partners.models import Partner
from app.reviews.models import Review


# -- the template ------------------------------------------------------------------------------

def install_defaults(tenant=None) -> None:
    """A new tenant's template: kick-off, communication plan, first self-assessment, first
    agreement, first QBR (issue 14). Does nothing when the tenant has a template already."""
    if db.session.scalar(select(func.count()).select_from(OnboardingTemplateItem)):
        return
    for position, (key, title, detector) in enumerate(DEFAULT_ITEMS):
        db.session.add(OnboardingTemplateItem(id=uuid.uuid4(), key=key, title=title, detector=detector,
                                              position=position))
    db.session.flush()


def template() -> list[OnboardingTemplateItem]:
    install_defaults()
    return list(db.session.scalars(select(OnboardingTemplateItem).where(OnboardingTemplateItem.active.is_(True))
                                   .order_by(OnboardingTemplateItem.position, OnboardingTemplateItem.created_at)))


def _title(raw, errors: dict) -> str:
    title = raw.strip() if isinstance(raw, str) else ""
    if not title:
        errors["title"] = "Name the step."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"At most {TITLE_MAX} characters."
    return title


def _detector(raw, errors: dict) -> str | None:
    if raw in (None, ""):
        return None
    if raw not in DETECTORS:
        errors["detector"] = f"One of {', '.join(DETECTORS)}, or none."
        return None
    return raw


def _key_for(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:36] or "step"
    taken = set(db.session.scalars(select(OnboardingTemplateItem.key)))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def add_template_item(data: dict) -> OnboardingTemplateItem:
    """Add a step at the end of the template (new checklists get it; started ones keep theirs)."""
    errors: dict = {}
    title = _title(data.get("title"), errors)
    detector = _detector(data.get("detector"), errors)
    if errors:
        raise InvalidInput(errors)
    steps = template()
    item = OnboardingTemplateItem(id=uuid.uuid4(), key=_key_for(title), title=title, detector=detector,
                                  position=(max((s.position for s in steps), default=-1) + 1))
    db.session.add(item)
    db.session.flush()
    record("onboarding.template.add", item, after={"key": item.key, "title": title, "detector": detector},
           summary=f"Added the onboarding step {title!r}")
    return item


def update_template_item(item: OnboardingTemplateItem, data: dict, expected_version) -> OnboardingTemplateItem:
    """Rename a step or change what detects it; send the version you read (409 when stale)."""
    errors: dict = {}
    if not isinstance(expected_version, int) or isinstance(expected_version, bool):
        errors["version"] = "Send the version of the step you are changing."
    title = _title(data["title"], errors) if data.get("title") is not None else item.title  # null: unchanged
    detector = _detector(data.get("detector", item.detector), errors) if "detector" in data else item.detector
    if errors:
        raise InvalidInput(errors)
    if not item.active:
        raise ConflictError("This step was removed from the template.")
    if expected_version != item.version:
        raise ConflictError("Someone else changed this step first. Reload it and apply your change again.")
    before = {"title": item.title, "detector": item.detector}
    item.title, item.detector = title, detector
    after = {"title": item.title, "detector": item.detector}
    if before != after:
        db.session.flush()
        record("onboarding.template.update", item, before=before, after=after,
               summary=f"Changed the onboarding step {title!r}")
    return item


def remove_template_item(item: OnboardingTemplateItem) -> None:
    """Take a step out of the template; checklists already started keep it."""
    if not item.active:
        raise ConflictError("This step was removed from the template already.")
    item.active = False
    db.session.flush()
    record("onboarding.template.remove", item, before={"title": item.title}, after=None,
           summary=f"Removed the onboarding step {item.title!r}")


# -- a partner's checklist ---------------------------------------------------------------------

def checklist(partner: Partner) -> list[OnboardingItem]:
    return list(db.session.scalars(select(OnboardingItem).where(OnboardingItem.partner_id == partner.id)
                                   .order_by(OnboardingItem.position, OnboardingItem.key)))


def start(partner: Partner) -> list[OnboardingItem]:
    """Make the partner's checklist from the template (409 when it has one)."""
    if db.session.scalar(select(func.count()).select_from(OnboardingItem).where(OnboardingItem.partner_id == partner.id)):
        raise ConflictError(f"Onboarding of {partner.name} has started already.")
    items = [OnboardingItem(id=uuid.uuid4(), partner_id=partner.id, key=s.key, title=s.title, detector=s.detector,
                            position=s.position) for s in template()]
    db.session.add_all(items)
    db.session.flush()
    record("onboarding.start", partner, object_type="onboarding", object_id=partner.id,
           after={"items": [i.key for i in items]}, summary=f"Started onboarding of {partner.name}")
    return items


def tick(actor: Actor, item: OnboardingItem, partner: Partner, done, expected_version) -> OnboardingItem:
    """Mark an item done (who and when) or not done again; send the version you read."""
    errors: dict = {}
    if not isinstance(done, bool):
        errors["done"] = "Send true or false."
    if not isinstance(expected_version, int) or isinstance(expected_version, bool):
        errors["version"] = "Send the version of the item you are changing."
    if errors:
        raise InvalidInput(errors)
    if expected_version != item.version:
        raise ConflictError("Someone else changed this item first. Reload the checklist.")
    if done == (item.done_at is not None):
        return item
    before = {"done_at": item.done_at.isoformat() if item.done_at else None, "done_by_id": str(item.done_by_id or "")}
    item.done_at, item.done_by_id = (utcnow(), actor.membership.id) if done else (None, None)
    db.session.flush()
    record("onboarding.tick" if done else "onboarding.untick", item, before=before,
           after={"done_at": item.done_at.isoformat() if item.done_at else None,
                  "done_by_id": str(item.done_by_id or "")},
           summary=f"{'Ticked' if done else 'Unticked'} {item.title!r} of {partner.name}'s onboarding")
    return item


def detected(partner_ids=None) -> dict:
    """{partner id: {detector: when it first happened}}: what the system sees done, in one
    set-based statement whatever the number of partners (None: every partner)."""
    sources = {
        "commplan": (CommContact.partner_id, func.min(CommContact.created_at), ()),
        "self_assessment": (IppAssessment.partner_id, func.min(IppAssessment.finalised_at),
                            (IppAssessment.kind == "self", IppAssessment.finalised_at.is_not(None))),
        "agreement": (Agreement.partner_id, func.min(Agreement.accepted_at), (Agreement.accepted_at.is_not(None),)),
        "review": (Review.partner_id, func.min(Review.frozen_at), (Review.snapshot_hash.is_not(None),)),
    }
    parts = []
    for detector, (partner_col, first, conds) in sources.items():
        stmt = select(literal(detector).label("detector"), partner_col.label("partner_id"), first.label("first"))
        stmt = stmt.where(*conds)
        if partner_ids is not None:
            stmt = stmt.where(partner_col.in_(list(partner_ids)))
        parts.append(stmt.group_by(partner_col))
    found: dict = {}
    for detector, pid, when in db.session.execute(union_all(*parts)):  # one statement
        found.setdefault(pid, {})[detector] = when
    return found


def checklist_view(partner: Partner, items: list[OnboardingItem] | None = None) -> dict:
    """The checklist as data: items with who ticked them, and the system's evidence (two statements)."""
    from app.auth.models import Membership, User

    if items is None:
        found = db.session.execute(
            select(OnboardingItem, User).outerjoin(Membership, Membership.id == OnboardingItem.done_by_id)
            .outerjoin(User, User.id == Membership.user_id).where(OnboardingItem.partner_id == partner.id)
            .order_by(OnboardingItem.position, OnboardingItem.key)).all()
    else:
        found = [(i, None) for i in items]
    seen = detected([partner.id]).get(partner.id, {}) if found else {}
    rows = [{"id": str(i.id), "key": i.key, "title": i.title, "version": i.version,
             "done": i.done_at is not None, "done_at": i.done_at.isoformat() if i.done_at else None,
             "done_by": (u.name or u.email) if u is not None and i.done_by_id else None, "detector": i.detector,
             "detected_at": seen[i.detector].isoformat() if seen.get(i.detector) else None}
            for i, u in found]
    done = sum(1 for r in rows if r["done"])
    return {"partner_id": str(partner.id), "started": bool(rows), "items": rows, "done": done, "total": len(rows),
            "suggested": sum(1 for r in rows if not r["done"] and r["detected_at"])}


PAGE_SIZE = 50


def progress(book, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[dict], int]:
    """One page of the book's partners, by name, with their progress; and the number of partners."""
    from app.partners.policies import in_book

    total_partners = db.session.scalar(in_book(select(func.count(Partner.id)), book)) or 0
    partners = list(db.session.scalars(in_book(select(Partner), book).order_by(func.lower(Partner.name), Partner.id)
                                       .offset((max(page, 1) - 1) * size).limit(size)))
    return progress_rows(partners), total_partners


def progress_rows(partners: list[Partner]) -> list[dict]:
    """These partners' onboarding progress: done / total, and items the system sees done that nobody
    ticked yet. Two statements whatever the number of partners (the items' counts, detection)."""
    ids = [p.id for p in partners]
    counts: dict = {}
    open_detectors: dict = {}
    if ids:
        for pid, detector, n, done in db.session.execute(
                select(OnboardingItem.partner_id, OnboardingItem.detector, func.count(), func.count(OnboardingItem.done_at))
                .where(OnboardingItem.partner_id.in_(ids)).group_by(OnboardingItem.partner_id, OnboardingItem.detector)):
            total, ticked = counts.get(pid, (0, 0))
            counts[pid] = (total + n, ticked + done)
            if detector is not None and done < n:
                open_detectors.setdefault(pid, set()).add(detector)
    seen = detected(list(open_detectors)) if open_detectors else {}
    rows = []
    for p in partners:
        total, done = counts.get(p.id, (0, 0))
        suggested = len(open_detectors.get(p.id, set()) & set(seen.get(p.id, {})))
        rows.append({"partner": p, "started": total > 0, "total": total, "done": done, "suggested": suggested,
                     "share": round(100 * done / total) if total else None})
    return rows
