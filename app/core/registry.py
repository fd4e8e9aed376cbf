"""Extension points feature packages fill in: navigation entries and page panels.

Features register here instead of editing shared templates, so packages stay independent.
"""
from __future__ import annotations

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


# source(actor) -> list[WorkItem]: each feature contributes the items it knows about, computed with
# set-based queries so the cockpit's statement count does not grow with the partners.
WORK_ITEM_SOURCES: list[tuple[int, Callable]] = []


def add_nav(label: str, endpoint: str, visible: Callable[["Actor"], bool], order: int = 100) -> None:
    if all(item.endpoint != endpoint for item in NAV):
        NAV.append(NavItem(label, endpoint, visible, order))
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


def add_work_items(source: Callable, order: int = 100) -> None:
    if all(s is not source for _, s in WORK_ITEM_SOURCES):
        WORK_ITEM_SOURCES.append((order, source))
        WORK_ITEM_SOURCES.sort(key=lambda pair: pair[0])


def work_items(actor: "Actor") -> list[WorkItem]:
    """Every registered source's items for this person, urgent first, then by due date."""
    items = [item for _, source in WORK_ITEM_SOURCES for item in source(actor)]
    return sorted(items, key=lambda i: (not i.urgent, i.due is None, str(i.due or ""), i.title))


def visible_nav(actor: "Actor | None") -> list[NavItem]:
    return [item for item in NAV if actor is not None and item.visible(actor)]


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
