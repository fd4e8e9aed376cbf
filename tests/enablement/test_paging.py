"""Cursor paging of the touches and completions lists in the API: newest first, every row once over
several pages, ties on the day ordered by id, bad cursors as every list answers them, and the same
number of statements per page whatever the number of rows."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.enablement.models import Completion, Course, Touch
from app.extensions import db
from app.tenancy import tenant_scope

TODAY = date.today()


def _touches(world, n: int, partner_id=None) -> list[tuple[date, uuid.UUID]]:
    """n touches over a few days, several on the same day (so the id breaks ties)."""
    made = []
    with tenant_scope(world.tenant_id):
        for i in range(n):
            t = Touch(id=uuid.uuid4(), partner_id=partner_id or world.a_id, side="vendor", kind="pipeline_call",
                      happened_on=TODAY - timedelta(days=i % 3), notes=f"touch {i}")
            db.session.add(t)
            made.append((t.happened_on, t.id))
        db.session.commit()
    return made


def _completions(world, n: int) -> list[tuple[date, uuid.UUID]]:
    made = []
    with tenant_scope(world.tenant_id):
        course = Course(id=uuid.uuid4(), name=f"Paging course {uuid.uuid4()}", kind="certification", valid_months=12)
        db.session.add(course)
        db.session.flush()
        people = [world.members["partner_user"].id, world.members["partner_admin"].id]
        for i in range(n):
            c = Completion(id=uuid.uuid4(), partner_id=world.a_id, course_id=course.id, membership_id=people[i % 2],
                           completed_on=TODAY - timedelta(days=i // 2), expires_on=None)
            db.session.add(c)
            made.append((c.completed_on, c.id))
        db.session.commit()
    return made


def _walk(world, client, path: str, limit: int, who="partner_user") -> tuple[list[str], int]:
    ids, cursor, pages = [], None, 0
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = world.api(client, who, "GET", path + query)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        pages += 1
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 50


def _newest_first(made) -> list[str]:
    return [str(i) for _, i in sorted(made, key=lambda m: (m[0], m[1].hex), reverse=True)]


@pytest.mark.parametrize("limit", [1, 3, 7, 8])
def test_touches_page_newest_first_each_once(world, client, limit):
    made = _touches(world, 7)
    _touches(world, 2, partner_id=world.b_id)  # another partner's: never in A's list
    ids, pages = _walk(world, client, f"/partners/{world.a_id}/touches", limit)
    assert ids == _newest_first(made)
    assert pages == (1 if limit >= 7 else -(-7 // limit))
    days = [t["happened_on"] for t in
            world.api(client, "vendor_admin", "GET", f"/partners/{world.a_id}/touches?limit=7").get_json()["items"]]
    assert days == sorted(days, reverse=True) and len(set(days)) == 3


@pytest.mark.parametrize("limit", [2, 5, 9])
def test_completions_page_newest_first_each_once_and_count_the_certified(world, client, limit):
    made = _completions(world, 9)
    ids, pages = _walk(world, client, f"/partners/{world.a_id}/completions", limit, who="vendor_viewer")
    assert ids == _newest_first(made)
    assert pages == (1 if limit >= 9 else -(-9 // limit))
    first = world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/completions?limit={limit}").get_json()
    assert first["certified"] == 2  # the whole partner's, not the page's


@pytest.mark.parametrize("path", ["touches", "completions"])
def test_bad_cursors_answer_as_every_list_does(world, client, path):
    _touches(world, 3)
    _completions(world, 3)
    base = f"/partners/{world.a_id}/{path}"
    bad = world.api(client, "partner_user", "GET", base + "?cursor=not*a*cursor")
    assert bad.status_code == 422 and "cursor" in bad.get_json()["error"]["fields"]
    assert world.api(client, "partner_user", "GET", base + "?limit=0").status_code == 422
    assert world.api(client, "partner_user", "GET", base + "?limit=201").status_code == 422
    made_up = world.api(client, "partner_user", "GET", base + "?cursor=bm90LWEtcG9zaXRpb24")  # "not-a-position"
    assert made_up.status_code == 200 and made_up.get_json()["items"] == [] and made_up.get_json()["next_cursor"] is None
    # another partner's staff do not reach A's list at all
    assert world.api(client, "b_user", "GET", base).status_code == 404


@pytest.mark.parametrize("path, make_rows", [("touches", _touches), ("completions", _completions)])
def test_a_page_takes_the_same_statements_for_few_or_many_rows(world, client, path, make_rows):
    def statements(url):
        seen = []

        def count(*_a, **_k):
            seen.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            r = world.api(client, "channel_manager", "GET", url)
            assert r.status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), r.get_json()["next_cursor"]

    base = f"/partners/{world.a_id}/{path}?limit=5"
    world.api(client, "channel_manager", "GET", base)  # the token's first use records last_used_at
    make_rows(world, 3)
    few, cursor = statements(base)
    assert cursor is None
    make_rows(world, 40)
    many, cursor = statements(base)
    assert cursor is not None and many == few
    later, _ = statements(base + f"&cursor={cursor}")
    assert later == few
