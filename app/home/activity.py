"""The activity feed in people's words: who (name and organisation), what (each feature's phrase,
metric names rather than keys), grouped per object and day, each linked to its object.

A fixed number of statements: the events, the people behind them, then one per feature phraser.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Membership, User
from app.core.registry import phrase_events
from app.extensions import db
from app.partners.models import Partner

FEED_EVENTS = 40
FEED_GROUPS = 12


@dataclass
class FeedEntry:
    who: str
    day: object
    text: str
    link: str | None
    count: int = 1
    texts: list = field(default_factory=list)


def _generic(event: AuditEvent) -> str:
    """The stored summary as a sentence: keys and arrows read as words."""
    text = (event.summary or event.action.replace(".", " ").replace("_", " ")).strip()
    return text.replace(" -> ", " to ").replace("_", " ")


def _link(event: AuditEvent) -> str | None:
    if event.object_type == "partner":
        return url_for("partners.detail", partner_id=event.object_id)
    return None


def people(events: list[AuditEvent], tenant_name: str) -> dict:
    """user id -> "Name (Organisation)": the partner's name for partner staff, the vendor's otherwise."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.name, User.email, Partner.name).join(Membership, Membership.user_id == User.id)
        .outerjoin(Partner, Partner.id == Membership.partner_id).where(User.id.in_(ids))).all()
    return {uid: f"{name or email} ({org or tenant_name})" for uid, name, email, org in rows}


def feed(tenant_name: str, limit: int = FEED_EVENTS) -> list[FeedEntry]:
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)).all()
    who = people(events, tenant_name)
    phrases = phrase_events(events)
    entries: list[FeedEntry] = []
    index: dict = {}
    for e in events:
        person = who.get(e.actor_id) or ("Demo set-up" if e.actor == "system" else e.actor)
        phrase = phrases.get(e.id)
        text = phrase.text if phrase else _generic(e)
        if phrase:
            text = text[0].upper() + text[1:]
        link = phrase.link if phrase and phrase.link else _link(e)
        key = (person, e.object_type, e.object_id, e.created_at.date())
        if key in index:
            entry = index[key]
            entry.count += 1
            if text not in entry.texts:
                entry.texts.append(text)
            continue
        entry = FeedEntry(who=person, day=e.created_at.date(), text=text, link=link, texts=[text])
        index[key] = entry
        entries.append(entry)
    return entries[:FEED_GROUPS]
