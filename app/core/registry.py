"""Extension points feature packages fill in: navigation entries and page panels.

Features register here instead of editing shared templates, so packages stay independent.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from markupsafe import Markup

if TYPE_CHECKING:  # no runtime import: feature packages import this module early
    from app.auth.context import Actor


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    visible: Callable[["Actor"], bool]
    order: int = 100
    group: str | None = None  # the top-bar menu it sits in (NAV_GROUPS); None: on the bar itself


# The top bar's menus, in order, as a channel team thinks of its work.
NAV_GROUPS = ("Partners", "Customers", "Programme", "Relationship", "Admin")


@dataclass(frozen=True)
class Panel:
    """A section of a page: render(actor, obj) returns HTML (Markup) or None to hide it."""
    name: str
    render: Callable
    order: int = 100


NAV: list[NavItem] = []
PARTNER_PANELS: list[Panel] = []  # sections of the vendor-side partner page
PARTNER_HOME_PANELS: list[Panel] = []  # sections of the partner-side home page
DEMO_SEEDERS: list[tuple[int, Callable]] = []  # (order, seed(demo)) for `flask demo`
TENANT_INITIALISERS: list[Callable] = []  # init(tenant): defaults every new tenant starts with
# gate(membership, sso_connection_id) -> bool, run in the membership's tenant: may this sign-in
# session enter it? (app.sso refuses password sessions where the organisation requires SSO.)
ENTRY_GATES: list[Callable] = []
# lock(period) -> ids of the partners whose `period` is locked (a signed joint review). Tiers and
# health ask through here, so they never import the package that decides the lock.
QUARTER_LOCKS: list[Callable] = []
# page -> sections a higher package adds to a lower one's page (e.g. tiers' close and margin on
# the health pages), so the page's own package never imports the one contributing.
PAGE_PANELS: dict[str, list[Panel]] = {}


@dataclass(frozen=True)
class ReviewSection:
    """A section of the quarterly joint review contributed by a feature package.

    build(partner, period, side) returns JSON-able data (it goes into the signed snapshot, so it
    must only hold what `side` may see) or None to leave the section out; `template` renders it
    from that data alone, so a frozen review renders from its snapshot.
    """
    name: str
    title: str
    build: Callable
    template: str
    order: int = 100


REVIEW_SECTIONS: list[ReviewSection] = []


@dataclass(frozen=True)
class WorkItem:
    """One thing a person should act on, shown in their cockpit's work queue."""
    kind: str  # e.g. "agreement_to_answer", "review_to_sign"
    title: str  # in people's words, naming the partner
    link: str  # the page that resolves it
    due: object = None  # a date, when there is one
    urgent: bool = False  # overdue or at risk: shown first
    partner_id: object = None  # the partnership it concerns (None: programme-wide)
    detail: str = ""  # why it is here, in a few words (health, trend, what would keep the tier)


@dataclass(frozen=True)
class Book:
    """Whose partners a cockpit covers: one channel manager's (manager_id), one partner's own
    (partner_id, the partner side), the partners of some regions (regions, a CS Development
    Manager's) or the whole programme (none set). Sources and cockpit panels
    narrow their set-based queries with `app.partners.policies.in_book`."""
    manager_id: object = None
    partner_id: object = None
    regions: tuple | None = None  # a CS Development Manager's regions (Partner.region); None: any


# source(actor, book) -> list[WorkItem] | WorkQuery | list[WorkQuery]: each feature contributes the
# items it knows about, computed with set-based queries so the cockpit's statement count does not
# grow with the partners. A source returns only what `actor` may act on (its own policies); an empty
# list when there is nothing. Two contracts, both accepted:
# - items (list[WorkItem]): the source runs its own statements (one or more per cockpit);
# - WorkQuery (or a list of them): the source hands back a Select over `work_columns(...)` and a
#   function from its rows to items; work_items() runs every source's Select as ONE UNION ALL
#   statement, so a cockpit's work queue costs one statement whatever the number of sources.
WORK_ITEM_SOURCES: list[tuple[int, Callable]] = []

# The columns every WorkQuery selects, in this order (UNION ALL needs the same shape in every branch).
# A source fills the ones it needs by name (work_columns(ref=..., name=...)); the rest are typed NULLs.
WORK_SLOTS = ("ref", "ref2", "partner_id", "manager_id", "name", "text", "text2", "text3", "day", "at", "at2")


@dataclass(frozen=True)
class WorkQuery:
    """One branch of the work queue's single statement: `select` (columns from `work_columns`, no
    ORDER BY needed: rows reach `items` in no particular order) and items(rows) -> [WorkItem], which
    receives this branch's rows (attributes named as WORK_SLOTS) after the statement ran, applies the
    source's policies and orders its own items."""
    select: object
    items: Callable
    # A branch that may be cut to its first rows (the home page shows QUEUE_PER_KIND items a kind):
    # `kind` set when EVERY row becomes exactly one item of that kind (no policy drops a row in
    # Python), and `order` the slots (ascending) whose SQL order is both the order items(rows) gives
    # them and their order in the sorted queue (urgent first, then due date: e.g. all alike, or an
    # older quarter is the urgent one). A branch without `kind` (several kinds, Python-side
    # filtering, or an order SQL cannot reproduce) is never cut.
    kind: str | None = None
    order: tuple = ()


def _slot_types() -> dict:
    from sqlalchemy import Date, String, Text, Uuid

    from app.core.db import TZDateTime

    return {"ref": Uuid(), "ref2": Uuid(), "partner_id": Uuid(), "manager_id": Uuid(), "name": String(),
            "text": String(), "text2": String(), "text3": Text(), "day": Date(), "at": TZDateTime(),
            "at2": TZDateTime()}


def work_columns(**given) -> list:
    """The select list of a WorkQuery: each named slot from the given column (a uuid column in ref,
    ref2, partner_id, manager_id; text in name, text, text2, text3; a date in day; a timestamp in at,
    at2), every other slot a NULL cast to its type (so PostgreSQL can match the branches)."""
    from sqlalchemy import cast, null, type_coerce

    types = _slot_types()
    unknown = set(given) - set(types)
    if unknown:
        raise ValueError(f"unknown work-queue columns {sorted(unknown)}; use {WORK_SLOTS}")
    return [type_coerce(given[slot], types[slot]).label(slot) if slot in given
            else cast(null(), types[slot]).label(slot) for slot in WORK_SLOTS]
# phrase(events) -> {event id: Phrase}: features put the activity feed in people's words (metric
# names, not keys) and link each event to its object, one query per call at most.
ACTIVITY_PHRASERS: list[Callable] = []


@dataclass(frozen=True)
class Phrase:
    text: str  # what happened, as a sentence without its actor ("recorded Net Promoter Score for Acme")
    link: str | None = None  # the object's page


def add_nav(label: str, endpoint: str, visible: Callable[["Actor"], bool], order: int = 100,
            group: str | None = None) -> None:
    if group is not None and group not in NAV_GROUPS:
        raise ValueError(f"unknown nav group {group!r}; one of {NAV_GROUPS}")
    if all(item.endpoint != endpoint or item.label != label for item in NAV):
        NAV.append(NavItem(label, endpoint, visible, order, group))
        NAV.sort(key=lambda i: i.order)


def _add(panels: list[Panel], panel: Panel) -> None:
    if all(p.name != panel.name for p in panels):
        panels.append(panel)
        panels.sort(key=lambda p: p.order)


def add_partner_panel(name: str, render: Callable, order: int = 100) -> None:
    _add(PARTNER_PANELS, Panel(name, render, order))


def add_partner_home_panel(name: str, render: Callable, order: int = 100) -> None:
    _add(PARTNER_HOME_PANELS, Panel(name, render, order))


def add_demo_seeder(seed: Callable, order: int = 100) -> None:
    if all(s is not seed for _, s in DEMO_SEEDERS):
        DEMO_SEEDERS.append((order, seed))
        DEMO_SEEDERS.sort(key=lambda pair: pair[0])


def add_page_panel(page: str, name: str, render: Callable, order: int = 100) -> None:
    """A section of another package's page `page`; render(actor, obj) as for partner panels."""
    _add(PAGE_PANELS.setdefault(page, []), Panel(name, render, order))


def page_panels(page: str) -> list[Panel]:
    return PAGE_PANELS.get(page, [])


def add_quarter_lock(lock: Callable) -> None:
    if all(existing is not lock for existing in QUARTER_LOCKS):
        QUARTER_LOCKS.append(lock)


def locked_partner_ids(period: str) -> set:
    """Partners whose `period` is locked because its joint review is signed (DESIGN section 6).

    The one place the lock is asked (health and tiers both refuse changes to a locked quarter);
    the package that signs reviews registers its answer with `add_quarter_lock`.
    """
    locked: set = set()
    for lock in QUARTER_LOCKS:
        locked |= set(lock(period))
    return locked


def quarter_locked(partner_id, period: str) -> bool:
    """Whether this partner's quarter is locked (its joint review is signed)."""
    return partner_id in locked_partner_ids(period)


def add_review_section(name: str, title: str, build: Callable, template: str, order: int = 100) -> None:
    if all(section.name != name for section in REVIEW_SECTIONS):
        REVIEW_SECTIONS.append(ReviewSection(name, title, build, template, order))
        REVIEW_SECTIONS.sort(key=lambda s: s.order)


WORK_KINDS: dict[str, str] = {}  # kind -> its heading in the work queue ("Agreements to answer")


def add_work_items(source: Callable, order: int = 100, kinds: dict[str, str] | None = None) -> None:
    """Register source(actor, book) -> [WorkItem]; `kinds` names the headings of the kinds it yields."""
    WORK_KINDS.update(kinds or {})
    if all(s is not source for _, s in WORK_ITEM_SOURCES):
        WORK_ITEM_SOURCES.append((order, source))
        WORK_ITEM_SOURCES.sort(key=lambda pair: pair[0])


def _order_key(column, dialect: str):
    """An ascending SQL order for one slot that matches Python's: text by code point (PostgreSQL's
    "C" collation; SQLite's default BINARY already is), other types as they compare."""
    from sqlalchemy import String, collate

    return collate(column, "C") if dialect == "postgresql" and isinstance(column.type, String) else column


def _run_work_queries(queries: list[WorkQuery], per_kind: int | None = None) -> list[tuple[list, int]]:
    """Every WorkQuery's rows, from one UNION ALL statement (a branch number tells them apart), with
    the branch's number of rows. With `per_kind`, a branch that names its kind (WorkQuery.kind) keeps
    only its first `per_kind` rows in its `order` (row_number() over it), its total from count(*) over ()."""
    from sqlalchemy import Integer, cast, func, literal_column, null, select, union_all

    from app.extensions import db

    if not queries:
        return []
    dialect = db.session.get_bind().dialect.name
    branches = []
    for number, query in enumerate(queries):
        inner = query.select.order_by(None).subquery()
        label = literal_column(str(number), Integer).label("branch")
        if per_kind is not None and query.kind is not None:
            ranked = select(*[inner.c[slot] for slot in WORK_SLOTS],
                            func.row_number().over(order_by=[_order_key(inner.c[s], dialect) for s in query.order])
                            .label("place"), func.count().over().label("total")).subquery()
            branches.append(select(label, *[ranked.c[slot] for slot in WORK_SLOTS], ranked.c.total)
                            .where(ranked.c.place <= per_kind))
        else:
            branches.append(select(label, *[inner.c[slot] for slot in WORK_SLOTS],
                                   cast(null(), Integer).label("total")))
    rows: list[list] = [[] for _ in queries]
    totals = [0] * len(queries)
    for row in db.session.execute(union_all(*branches)):
        rows[row.branch].append(row)
        totals[row.branch] = row.total if row.total is not None else totals[row.branch] + 1
    return list(zip(rows, totals))


def work_queue(actor: "Actor", book: Book | None = None, per_kind: int | None = None) -> tuple[list[WorkItem], dict]:
    """work_items, with the branches that name their kind cut to their first `per_kind` rows: the
    items (the same first items of each kind as work_items) and kind -> how many items were not built."""
    book = book or Book()
    answers = []
    queries: list[WorkQuery] = []
    for _, source in WORK_ITEM_SOURCES:
        answer = source(actor, book)
        if isinstance(answer, WorkQuery):
            answer = [answer]
        answers.append(answer)
        queries.extend(a for a in answer if isinstance(a, WorkQuery))
    found = dict(zip((id(q) for q in queries), _run_work_queries(queries, per_kind)))
    items: list[WorkItem] = []
    unbuilt: dict[str, int] = {}
    for answer in answers:
        for part in answer:
            if not isinstance(part, WorkQuery):
                items.append(part)
                continue
            rows, total = found[id(part)]
            items.extend(part.items(rows))
            if total > len(rows):
                unbuilt[part.kind] = unbuilt.get(part.kind, 0) + total - len(rows)
    return sorted(items, key=lambda i: (not i.urgent, i.due is None, str(i.due or ""))), unbuilt


def work_items(actor: "Actor", book: Book | None = None) -> list[WorkItem]:
    """Every registered source's items for this person and book, urgent first, then by due date;
    items alike in both keep their source's order (each source orders its own, e.g. worst health first).
    Sources that return WorkQuery branches share one statement (_run_work_queries)."""
    return work_queue(actor, book)[0]


def add_activity_phraser(phrase: Callable) -> None:
    if phrase not in ACTIVITY_PHRASERS:
        ACTIVITY_PHRASERS.append(phrase)


def events_about(events: list, object_type: str) -> dict:
    """{event: its object's id as a UUID} for the events about `object_type`, for phrasers
    (an object id that is not a UUID names nothing they can look up, so it is left out)."""
    about = {}
    for e in events:
        if e.object_type == object_type:
            try:
                about[e] = uuid.UUID(str(e.object_id))
            except ValueError:
                continue
    return about


def phrase_events(events: list) -> dict:
    """{event id: Phrase} from every feature that knows how to say its events."""
    phrases: dict = {}
    for phrase in ACTIVITY_PHRASERS:
        phrases.update(phrase(events))
    return phrases


def visible_nav(actor: "Actor | None") -> list[NavItem]:
    return [item for item in NAV if actor is not None and item.visible(actor)]


def nav_menus(actor: "Actor | None") -> list[tuple[str | None, list[NavItem]]]:
    """The visible entries as (group, items): the ungrouped ones first, then each menu that has any."""
    items = visible_nav(actor)
    menus: list[tuple[str | None, list[NavItem]]] = []
    loose = [i for i in items if i.group is None]
    if loose:
        menus.append((None, loose))
    for group in NAV_GROUPS:
        members = [i for i in items if i.group == group]
        if members:
            menus.append((group, members))
    return menus


def render_panels(panels: list[Panel], actor: "Actor", obj) -> list:
    """Each panel's HTML, ready to place in a page.

    Panels render autoescaping Jinja templates (render_template), so their output is already
    escaped HTML: it is marked safe here, in one place, rather than in every feature.
    """
    rendered = []
    for panel in panels:
        html = panel.render(actor, obj)
        if html:
            rendered.append(Markup(html))  # nosec B704 - output of autoescaped templates
    return rendered


def add_tenant_initialiser(init: Callable) -> None:
    """Run init(tenant) inside the new tenant's scope whenever a tenant is created."""
    if init not in TENANT_INITIALISERS:
        TENANT_INITIALISERS.append(init)


def add_entry_gate(gate: Callable) -> None:
    """gate(membership, sso_connection_id) -> bool decides whether a sign-in session may enter a membership."""
    if gate not in ENTRY_GATES:
        ENTRY_GATES.append(gate)


def entry_allowed(membership, sso_connection_id: str | None) -> bool:
    """Every gate agrees (call inside the membership's tenant scope)."""
    return all(gate(membership, sso_connection_id) for gate in ENTRY_GATES)


# Senders of the e-mails that carry a one-time link (password reset, invitation): mailer(purpose,
# user_id, tenant_id) -> True when it took the message (app.jobs: the worker makes the token and the
# link itself, so no secret is ever queued or stored). None installed: app.auth sends at once.
LINK_MAILERS: list[Callable] = []


def add_link_mailer(mailer: Callable) -> None:
    if mailer not in LINK_MAILERS:
        LINK_MAILERS.append(mailer)


# suggest(partner) -> {criterion key: (value as the form's text, where it comes from)}: facts other
# features hold that answer an IPP question (e.g. certified consultants from training records). The
# assessment form shows them and the assessor may accept one; they never change a score by themselves.
ANSWER_SUGGESTERS: list[Callable] = []


def add_answer_suggester(suggest: Callable) -> None:
    if suggest not in ANSWER_SUGGESTERS:
        ANSWER_SUGGESTERS.append(suggest)


def answer_suggestions(partner) -> dict:
    found: dict = {}
    for suggest in ANSWER_SUGGESTERS:
        found.update(suggest(partner))
    return found
