"""Onboarding checklists in the JSON API."""
from __future__ import annotations

import uuid
from typing import Literal

from flask import jsonify, request
from sqlalchemy import func, select

from app.api import bp
from app.api.contract import Body, Filled
from app.api.helpers import actor, json_body, keyset_page
from app.api.openapi import PAGE_PARAMETERS, documented
from app.auth.policies import require
from app.core.registry import Book
from app.onboarding.models import DETECTORS, TITLE_MAX, OnboardingTemplateItem
from app.onboarding.policies import (
    can_edit_template, can_read, can_run, get_item_or_404, get_template_item_or_404,
)
from app.onboarding.schemas import ChecklistOut, ProgressOut, ProgressPage, StepOut, TemplateOut
from app.onboarding.services import (
    add_template_item, checklist_view, progress_rows, remove_template_item, start, template, tick, update_template_item,
)
from app.partners.models import Partner
from app.partners.policies import book_for, get_partner_or_404, in_book

def _step(s: OnboardingTemplateItem) -> dict:
    return StepOut(id=str(s.id), key=s.key, title=s.title, detector=s.detector, position=s.position,
                   version=s.version).model_dump(mode="json")


def _checklist(partner: Partner, items=None) -> dict:
    """The checklist as the API answers it: through its model, so the two cannot drift."""
    return ChecklistOut.model_validate(checklist_view(partner, items)).model_dump(mode="json")


class StepIn(Body):
    """A step of the onboarding template; `detector` names what the portal can see done, if anything."""

    title: Filled(TITLE_MAX)
    detector: Literal[DETECTORS] | None = None


class StepChange(Body):
    """A renamed step, or a changed detector; send the version you read."""

    version: int
    title: Filled(TITLE_MAX) | None = None
    detector: Literal[DETECTORS] | None = None


class TickIn(Body):
    """Done (true) or not done again (false); send the item's version as read."""

    done: bool
    version: int


@bp.get("/onboarding")
@documented(response=ProgressPage, query=[
    {"name": "all", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "1: the whole programme, not only your book (any other value: your book)."}, *PAGE_PARAMETERS])
def onboarding_progress():
    """Onboarding progress of the partners in your book (a CSDM's regions, a manager's partners)."""
    current = actor()
    require(current.is_vendor)
    book = Book() if request.args.get("all") == "1" else book_for(current)
    partners, cursor = keyset_page(in_book(select(Partner), book), (func.lower(Partner.name), Partner.id),
                                   key_of=lambda p: (p.name.lower(), str(p.id)),
                                   convert=lambda v: (str(v[0]), uuid.UUID(str(v[1]))))
    return jsonify(ProgressPage(items=[
        ProgressOut(partner_id=str(r["partner"].id), name=r["partner"].name, region=r["partner"].region,
                    started=r["started"], done=r["done"], total=r["total"], suggested=r["suggested"])
        for r in progress_rows(partners)], next_cursor=cursor).model_dump(mode="json"))


@bp.get("/onboarding/template")
@documented(response=TemplateOut)
def get_onboarding_template():
    """The tenant's onboarding steps (vendor staff)."""
    require(actor().is_vendor)
    return jsonify({"items": [_step(s) for s in template()]})


@bp.post("/onboarding/template")
@documented(request=StepIn, response=StepOut, status=201)
def add_onboarding_step():
    """Add a step at the end of the template (vendor admin)."""
    require(can_edit_template(actor()))
    return jsonify(_step(add_template_item(json_body()))), 201


@bp.patch("/onboarding/template/<uuid:item_id>")
@documented(request=StepChange, response=StepOut)
def change_onboarding_step(item_id: uuid.UUID):
    """Rename a step or change its detector (vendor admin); a stale version answers 409."""
    current = actor()
    step = get_template_item_or_404(current, item_id)
    require(can_edit_template(current))
    body = json_body()
    update_template_item(step, body, body.get("version"))
    return jsonify(_step(step))


@bp.delete("/onboarding/template/<uuid:item_id>")
@documented(response=TemplateOut)
def remove_onboarding_step(item_id: uuid.UUID):
    """Take a step out of the template (vendor admin); started checklists keep it."""
    current = actor()
    step = get_template_item_or_404(current, item_id)
    require(can_edit_template(current))
    remove_template_item(step)
    return jsonify({"items": [_step(s) for s in template()]})


@bp.get("/partners/<uuid:partner_id>/onboarding")
@documented(response=ChecklistOut)
def get_onboarding(partner_id: uuid.UUID):
    """The partner's onboarding checklist, with what the portal sees done."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_read(current, partner))
    return jsonify(_checklist(partner))


@bp.post("/partners/<uuid:partner_id>/onboarding")
@documented(response=ChecklistOut, status=201)
def start_onboarding(partner_id: uuid.UUID):
    """Start the partner's checklist from the template; a second start answers 409."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_run(current, partner))
    items = start(partner)
    return jsonify(_checklist(partner, items)), 201


@bp.put("/onboarding/items/<uuid:item_id>")
@documented(request=TickIn, response=ChecklistOut)
def tick_onboarding_item(item_id: uuid.UUID):
    """Tick or untick one item (who and when are recorded); a stale version answers 409."""
    current = actor()
    item, partner = get_item_or_404(current, item_id)
    require(can_run(current, partner))
    body = json_body()
    tick(current, item, partner, body.get("done"), body.get("version"))
    return jsonify(_checklist(partner))
