"""Quarterly joint reviews: disputes, sign-off and freeze, immutability, locks, PDF, carry-over, roles, calendar."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.extensions import db
from app.health import services as health
from app.health.models import Measurement
from app.notifications.models import Notification
from app.partners.models import Partner
from app.reviews.models import ActionItem, Review
from app.tenancy import tenant_scope
from app.tiers.models import QuarterClose
from tests.conftest import login

TERMS = [{"key": "nps", "direction": "higher", "target": "100", "floor": "0", "weight": "1"},
         {"key": "advocacy", "direction": "higher", "target": "10", "floor": "0", "weight": "1"}]
Q = "2026-Q3"


@pytest.fixture
def w(make):
    tenant = make.tenant()
    acme = make.partner(tenant, "Acme Consulting")
    globex = make.partner(tenant, "Globex Partners")
    people = {"vendor_admin": make.admin_membership(tenant)}
    emails = {"vendor_admin": f"admin@{tenant.slug}.example"}
    for role, partner, key in (("channel_manager", None, "channel_manager"), ("channel_manager", None, "other_manager"),
                               ("vendor_viewer", None, "vendor_viewer"), ("partner_admin", acme, "partner_admin"),
                               ("partner_user", acme, "partner_user"), ("partner_admin", globex, "globex_admin")):
        emails[key] = f"{key}@{tenant.slug}.example"
        people[key] = make.member(tenant, role, partner, email=emails[key])
    with tenant_scope(tenant.id):
        p = db.session.get(Partner, (tenant.id, acme.id))
        p.channel_manager_id = people["channel_manager"].id
        db.session.commit()
    tokens = {k: make.token(m) for k, m in people.items()}

    class W:
        pass
    out = W()
    out.tenant, out.acme, out.globex, out.people, out.emails, out.tokens = tenant, acme, globex, people, emails, tokens
    return out


def api(client, w, who, method, path, **kw):
    return client.open("/api/v1" + path, method=method, headers={"Authorization": f"Bearer {w.tokens[who]}"}, **kw)


def agree(w, period, vendor_values, partner_values=None, partner_key="acme"):
    """An accepted agreement with the vendor's measurements and, optionally, the partner's own entries."""
    from app.auth.models import Membership
    with tenant_scope(w.tenant.id):
        partner = db.session.get(Partner, (w.tenant.id, getattr(w, partner_key).id))
        cm = db.session.get(Membership, (w.tenant.id, w.people["channel_manager"].id))
        pa = db.session.get(Membership, (w.tenant.id, w.people["partner_admin"].id))
        agreement = health.propose(partner, period, TERMS, cm)
        health.accept(agreement, partner, pa)
        health.record_measurements(agreement, partner, vendor_values, "vendor workbook", cm)
        if partner_values:
            health.record_measurements(agreement, partner, partner_values, "partner CRM", pa)
        db.session.commit()
        return agreement.id


def open_signed(client, w, period=Q):
    agree(w, period, {"nps": "80", "advocacy": "6"}, {"nps": "60"})
    r = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": period})
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    assert api(client, w, "channel_manager", "POST", f"/reviews/{rid}/action-items", json={
        "title": "Two case studies", "owner_side": "partner", "owner_id": str(w.people["partner_admin"].id),
        "due_date": "2026-11-30"}).status_code == 201
    assert api(client, w, "channel_manager", "POST", f"/reviews/{rid}/signoff").status_code == 200
    r = api(client, w, "partner_admin", "POST", f"/reviews/{rid}/signoff")
    assert r.status_code == 200 and r.json["locked"] is True
    return rid


def _page(html: str) -> str:
    html = re.sub(r'name="csrf-token" content="[^"]*"|value="[^"]{40,}"', "", html)
    return html[html.index("<main"):] if "<main" in html else html


def test_dispute_is_flagged_with_both_values_and_settled_in_the_review(client, w):
    agree(w, Q, {"nps": "80", "advocacy": "6"}, {"nps": "60", "advocacy": "6.2"})
    rid = api(client, w, "partner_admin", "POST", f"/partners/{w.acme.id}/reviews", json={"period": Q}).json["id"]
    metrics = {m["key"]: m for m in api(client, w, "channel_manager", "GET", f"/reviews/{rid}").json["content"]["health"]["metrics"]}
    assert metrics["nps"]["disputed"] is True  # 80 vs 60, tolerance 5% of 100 = 5
    assert (metrics["nps"]["vendor_value"], metrics["nps"]["partner_value"], metrics["nps"]["value"]) == ("80", "60", "60")
    assert metrics["advocacy"]["disputed"] is False  # 6 vs 6.2 is within 0.5
    r = api(client, w, "channel_manager", "POST", f"/reviews/{rid}/settlements", json={"metric_key": "nps", "value": 70})
    assert r.status_code == 200
    nps = {m["key"]: m for m in r.json["content"]["health"]["metrics"]}["nps"]
    assert nps["value"] == "70" and nps["settled"]["value"] == "70" and nps["disputed"] is True
    assert r.json["content"]["health"]["score"] == "66"  # (0.7 + 0.62) / 2: the partner's 6.2 came last
    with tenant_scope(w.tenant.id):
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert "review.settle" in actions and actions.count("measurement.record") == 3  # vendor, partner, settlement
    assert api(client, w, "channel_manager", "POST", f"/reviews/{rid}/settlements",
               json={"metric_key": "nope", "value": 1}).status_code == 422


def test_signed_review_is_immutable_page_api_and_pdf_and_verify_detects_tampering(app, client, w, runner):
    rid = open_signed(client, w)
    page_client = app.test_client()
    login(page_client, w.emails["channel_manager"])
    before_api = api(client, w, "channel_manager", "GET", f"/reviews/{rid}").json
    before_page = _page(page_client.get(f"/reviews/{rid}").get_data(as_text=True))
    before_pdf = api(client, w, "channel_manager", "GET", f"/reviews/{rid}/pdf").data
    assert before_pdf[:5] == b"%PDF-"
    assert api(client, w, "channel_manager", "GET", f"/reviews/{rid}/pdf").data == before_pdf  # twice, same bytes
    item_id = before_api["content"]["action_items"][0]["id"]
    # Data changes after both signatures: an action item, a tier override (refused), a measurement
    # (refused), the partner's name; none reaches the review.
    assert api(client, w, "partner_admin", "PATCH", f"/action-items/{item_id}",
               json={"status": "done", "version": 1}).status_code == 200
    with tenant_scope(w.tenant.id):
        db.session.get(Partner, (w.tenant.id, w.acme.id)).name = "Acme Renamed"
        db.session.commit()
    after_api = api(client, w, "channel_manager", "GET", f"/reviews/{rid}").json
    assert after_api["content"] == before_api["content"]
    assert after_api["content"]["partner"]["name"] == "Acme Consulting"
    assert _page(page_client.get(f"/reviews/{rid}").get_data(as_text=True)) == before_page
    assert api(client, w, "channel_manager", "GET", f"/reviews/{rid}/pdf").data == before_pdf
    with tenant_scope(w.tenant.id):
        review = db.session.get(Review, (w.tenant.id, __import__("uuid").UUID(rid)))
        from app.reviews.rules import digest
        assert digest(review.snapshot) == review.snapshot_hash == after_api["snapshot_hash"]
        assert '"score":"60"' in review.snapshot
    ok = runner.invoke(args=["reviews", "verify", "--tenant", w.tenant.slug])
    assert ok.exit_code == 0, ok.output
    with tenant_scope(w.tenant.id):
        db.session.execute(update(Review).where(Review.id == review.id)
                           .values(snapshot=review.snapshot.replace('"score":"60"', '"score":"99"')))
        db.session.commit()
    bad = runner.invoke(args=["reviews", "verify", "--tenant", w.tenant.slug])
    assert bad.exit_code == 1 and "MISMATCH" in bad.output


def test_pdf_carries_partner_quarter_health_signatures_and_hash(client, w):
    from pypdf import PdfReader

    rid = open_signed(client, w)
    body = api(client, w, "partner_admin", "GET", f"/reviews/{rid}").json
    r = api(client, w, "partner_admin", "GET", f"/reviews/{rid}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    flat = re.sub(r"\s+", "", text)
    assert "Acme Consulting" in text and Q in text
    assert "Healthscore:60" in flat  # (0.6 + 0.6) / 2: the partner's later nps entry of 60 counts
    assert body["content"]["signatures"]["vendor"]["by"].replace(" ", "") in flat
    assert body["content"]["signatures"]["partner"]["by"].replace(" ", "") in flat
    assert body["snapshot_hash"] in flat


def test_locked_quarter_refuses_close_override_and_measurement_and_writes_nothing(client, w):
    agreement_id = agree(w, Q, {"nps": "80", "advocacy": "6"})
    assert api(client, w, "vendor_admin", "POST", f"/partners/{w.acme.id}/quarters/{Q}/close").status_code == 200
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": Q}).json["id"]
    api(client, w, "vendor_admin", "POST", f"/reviews/{rid}/signoff")
    api(client, w, "partner_admin", "POST", f"/reviews/{rid}/signoff")

    def state():
        with tenant_scope(w.tenant.id):
            return (db.session.scalar(select(func.count()).select_from(AuditEvent)),
                    sorted((m.metric_key, str(m.value)) for m in db.session.scalars(select(Measurement))),
                    [(c.period, c.override_reason, str(c.margin_pct)) for c in db.session.scalars(select(QuarterClose))])
    before = state()
    assert api(client, w, "vendor_admin", "POST", f"/partners/{w.acme.id}/quarters/{Q}/close").status_code == 409
    assert api(client, w, "vendor_admin", "POST", f"/partners/{w.acme.id}/quarters/{Q}/override",
               json={"margin_pct": 30, "reason": "A late deal closed after the quarter ended"}).status_code == 409
    assert api(client, w, "channel_manager", "PUT", f"/agreements/{agreement_id}/measurements",
               json={"values": {"nps": 99}}).status_code == 409
    assert state() == before
    # Another partner's same quarter is not locked.
    agree(w, Q, {"nps": "10", "advocacy": "1"}, partner_key="globex")
    assert api(client, w, "vendor_admin", "POST", f"/partners/{w.globex.id}/quarters/{Q}/close").status_code == 200


def test_carry_over_open_items_marked_carried_done_items_stay(client, w):
    agree(w, Q, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": Q}).json["id"]
    made = {}
    for title in ("Open one", "Done one", "Dropped one"):
        r = api(client, w, "channel_manager", "POST", f"/reviews/{rid}/action-items", json={
            "title": title, "owner_side": "vendor", "owner_id": str(w.people["channel_manager"].id),
            "due_date": "2026-10-01"})
        made[title] = r.json
    api(client, w, "channel_manager", "PATCH", f"/action-items/{made['Done one']['id']}", json={"status": "done", "version": 1})
    api(client, w, "channel_manager", "PATCH", f"/action-items/{made['Dropped one']['id']}", json={"status": "dropped", "version": 1})
    nxt = api(client, w, "partner_admin", "POST", f"/partners/{w.acme.id}/reviews", json={"period": "2026-Q4"}).json["id"]
    items = api(client, w, "partner_user", "GET", f"/reviews/{nxt}/action-items").json["items"]
    assert [(i["title"], i["carried"], i["status"]) for i in items] == [("Open one", True, "open")]
    assert items[0]["overdue"] is True  # due 2026-10-01, before today
    page_client = client.application.test_client()
    login(page_client, w.emails["partner_user"])
    html = page_client.get(f"/reviews/{nxt}").get_data(as_text=True)
    assert "carried" in html and "overdue" in html


def test_who_may_open_sign_unsign_and_read(client, w):
    agree(w, Q, {"nps": "80", "advocacy": "6"})
    path = f"/partners/{w.acme.id}/reviews"
    for who in ("vendor_viewer", "other_manager", "partner_user"):
        assert api(client, w, who, "POST", path, json={"period": Q}).status_code == 403, who
    assert api(client, w, "globex_admin", "POST", path, json={"period": Q}).status_code == 404
    rid = api(client, w, "partner_admin", "POST", path, json={"period": Q}).json["id"]
    assert api(client, w, "channel_manager", "POST", path, json={"period": Q}).status_code == 409
    for who in ("vendor_admin", "channel_manager", "other_manager", "vendor_viewer", "partner_admin", "partner_user"):
        assert api(client, w, who, "GET", f"/reviews/{rid}").status_code == 200, who
    for who in ("globex_admin",):
        assert api(client, w, who, "GET", f"/reviews/{rid}").status_code == 404
        assert api(client, w, who, "GET", f"/reviews/{rid}/pdf").status_code == 404
    for who in ("vendor_viewer", "other_manager", "partner_user"):
        assert api(client, w, who, "POST", f"/reviews/{rid}/signoff").status_code == 403, who
    assert api(client, w, "channel_manager", "DELETE", f"/reviews/{rid}/signoff").status_code == 409  # not signed
    assert api(client, w, "channel_manager", "POST", f"/reviews/{rid}/signoff").json["signed_by_vendor"] is True
    assert api(client, w, "vendor_admin", "POST", f"/reviews/{rid}/signoff").status_code == 409  # side signed
    r = api(client, w, "vendor_admin", "DELETE", f"/reviews/{rid}/signoff")  # a vendor admin may unsign the side
    assert r.status_code == 200 and r.json["signed_by_vendor"] is False
    assert api(client, w, "partner_admin", "POST", f"/reviews/{rid}/signoff").status_code == 200
    assert api(client, w, "vendor_admin", "POST", f"/reviews/{rid}/signoff").json["locked"] is True
    assert api(client, w, "partner_admin", "DELETE", f"/reviews/{rid}/signoff").status_code == 409  # other signed
    assert api(client, w, "channel_manager", "PATCH", f"/reviews/{rid}",
               json={"agenda": "late", "version": 99}).status_code == 409
    with tenant_scope(w.tenant.id):
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("review.%"))
                                          .order_by(AuditEvent.seq)))
    assert actions == ["review.open", "review.sign", "review.unsign", "review.sign", "review.sign", "review.freeze"]


def test_notes_are_per_side_and_items_notify_their_owner(app, client, w):
    from tests.conftest import outbox_messages
    agree(w, Q, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": Q}).json["id"]
    r = api(client, w, "partner_admin", "PATCH", f"/reviews/{rid}", json={"partner_notes": "ours", "version": 1})
    assert r.status_code == 200 and r.json["content"]["notes"]["partner"] == "ours"
    r = api(client, w, "partner_admin", "PATCH", f"/reviews/{rid}", json={"vendor_notes": "theirs", "version": 2})
    assert r.status_code == 422 and "vendor_notes" in r.json["error"]["fields"]
    r = api(client, w, "channel_manager", "POST", f"/reviews/{rid}/action-items", json={
        "title": "x", "owner_side": "partner", "owner_id": str(w.people["globex_admin"].id), "due_date": "2027-13-01"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"owner_id", "due_date"}
    r = api(client, w, "channel_manager", "POST", f"/reviews/{rid}/action-items", json={
        "title": "Send references", "owner_side": "partner", "owner_id": str(w.people["partner_user"].id),
        "due_date": "2027-01-31", "metric_key": "advocacy"})
    assert r.status_code == 201
    with tenant_scope(w.tenant.id):
        notes = list(db.session.scalars(select(Notification).where(Notification.membership_id == w.people["partner_user"].id)))
    assert [n.subject for n in notes] == ["Action item assigned to you: Send references"]
    assert any(m["to"] == w.emails["partner_user"] for m in outbox_messages(app))
    # The owner sets the status; only editors change the rest.
    item = r.json
    assert api(client, w, "partner_user", "PATCH", f"/action-items/{item['id']}",
               json={"title": "mine now", "version": 1}).status_code == 422
    assert api(client, w, "partner_user", "PATCH", f"/action-items/{item['id']}",
               json={"status": "done", "version": 1}).json["status"] == "done"
    assert api(client, w, "globex_admin", "PATCH", f"/action-items/{item['id']}",
               json={"status": "open", "version": 2}).status_code == 404


def test_partner_side_sees_vendor_ipp_score_only_when_shared(client, w):
    from app.ipp.services import set_sharing
    agree(w, Q, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": Q}).json["id"]
    assert api(client, w, "partner_user", "GET", f"/reviews/{rid}").json["content"]["ipp"]["vendor_hidden"] is True
    assert api(client, w, "vendor_viewer", "GET", f"/reviews/{rid}").json["content"]["ipp"]["vendor_hidden"] is False
    with tenant_scope(w.tenant.id):
        set_sharing(db.session.get(Partner, (w.tenant.id, w.acme.id)), True)
        db.session.commit()
    assert api(client, w, "partner_user", "GET", f"/reviews/{rid}").json["content"]["ipp"]["vendor_hidden"] is False


def test_calendar_states_filter_and_statement_count(app, client, w, make):
    from sqlalchemy import event

    from app.core.db import utcnow
    from app.reviews.calendar import current_period
    period = str(current_period())
    agree(w, period, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": period}).json["id"]
    api(client, w, "channel_manager", "POST", f"/reviews/{rid}/signoff")
    page = app.test_client()
    login(page, w.emails["channel_manager"])
    html = page.get("/reviews/").get_data(as_text=True)
    assert "Acme Consulting" in html and "Waiting for the other side" in html and "Globex Partners" in html
    html = page.get(f"/reviews/?manager={w.people['channel_manager'].id}").get_data(as_text=True)
    assert "Acme Consulting" in html and "Globex Partners" not in html
    assert utcnow().year >= 2026

    def statements(path):
        seen = []

        def count(*_a, **_k):
            seen.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert page.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)
    few = statements("/reviews/")
    for i in range(15):
        make.partner(w.tenant, f"Extra {i}")
    assert statements("/reviews/") == few
    partner_page = app.test_client()
    login(partner_page, w.emails["partner_user"])
    assert partner_page.get("/reviews/").status_code == 302
    assert page.get("/reviews/").status_code == 200


def test_rules_overdue_and_tolerance():
    from datetime import date
    from decimal import Decimal

    from app.reviews import rules
    end = date(2026, 9, 30)
    assert rules.quarter_state(False, False, False, end, date(2026, 10, 30)) == rules.NOT_OPENED
    assert rules.quarter_state(True, True, False, end, date(2026, 10, 31)) == rules.OVERDUE
    assert rules.quarter_state(True, True, True, end, date(2027, 1, 1)) == rules.SIGNED
    assert rules.quarter_state(True, False, True, end, date(2026, 10, 1)) == rules.WAITING
    term = {"target": "30", "floor": "90"}  # lower is better: |target - floor| = 60, tolerance 3
    assert not rules.disputed(term, Decimal("40"), Decimal("43"))
    assert rules.disputed(term, Decimal("40"), Decimal("43.01"))
    assert rules.canonical({"b": "é", "a": [1, 2]}) == '{"a":[1,2],"b":"é"}'


def test_partner_home_work_items_and_reminder_command(app, client, w, runner):
    from datetime import timedelta

    from app.auth.context import Actor
    from app.auth.models import Membership, User
    from app.core.db import utcnow
    from app.core.registry import work_items
    from app.reviews.calendar import current_period
    from app.tenants.models import Tenant
    period = str(current_period())
    agree(w, period, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": period}).json["id"]
    soon = (utcnow().date() + timedelta(days=3)).isoformat()
    api(client, w, "channel_manager", "POST", f"/reviews/{rid}/action-items", json={
        "title": "Call the sponsor", "owner_side": "partner", "owner_id": str(w.people["partner_admin"].id),
        "due_date": soon})
    api(client, w, "channel_manager", "POST", f"/reviews/{rid}/signoff")
    home = app.test_client()
    login(home, w.emails["partner_admin"])
    html = home.get("/home").get_data(as_text=True)
    assert "Joint reviews" in html and "Waiting for the other side" in html and "your partner admin" in html
    with app.test_request_context(), tenant_scope(w.tenant.id):  # other features' items build links
        m = db.session.get(Membership, (w.tenant.id, w.people["partner_admin"].id))
        actor = Actor(user=db.session.get(User, m.user_id), tenant=db.session.get(Tenant, w.tenant.id), membership=m)
        kinds = sorted(i.kind for i in work_items(actor) if i.kind.startswith("review_"))
        db.session.rollback()
    assert kinds == ["review_action_item", "review_to_sign"]
    first = runner.invoke(args=["reviews", "remind", "--tenant", w.tenant.slug])
    assert first.exit_code == 0 and "1 reminder" in first.output
    again = runner.invoke(args=["reviews", "remind", "--tenant", w.tenant.slug])
    assert "0 reminder" in again.output
    with tenant_scope(w.tenant.id):
        subjects = list(db.session.scalars(select(Notification.subject).where(
            Notification.membership_id == w.people["partner_admin"].id)))
    assert "Action item due within a week: Call the sponsor" in subjects


def test_review_page_renders_registered_sections_and_print_view(app, client, w):
    from app.core.registry import REVIEW_SECTIONS
    from app.reviews.calendar import current_period
    period = str(current_period())  # the request is filed now, so it belongs to this quarter's review
    agree(w, period, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": period}).json["id"]
    api(client, w, "partner_user", "POST", "/enhancements", json={
        "title": "Bulk export", "problem": "p", "outcome": "o", "urgency": "low"})
    body = api(client, w, "partner_user", "GET", f"/reviews/{rid}").json["content"]
    assert "enhancements" in {s["name"] for s in body["sections"]}
    assert {s.name for s in REVIEW_SECTIONS} >= {"enhancements"}
    page = app.test_client()
    login(page, w.emails["partner_admin"])
    html = page.get(f"/reviews/{rid}").get_data(as_text=True)
    assert "What we asked for, what happened" in html and "Bulk export" in html
    assert "Bulk export" in page.get(f"/reviews/{rid}/print").get_data(as_text=True)
    # Forms: a bad action item re-renders with 422 and the field's message.
    from tests.conftest import page_csrf
    token = page_csrf(page, f"/reviews/{rid}")
    r = page.post(f"/reviews/{rid}/items", data={"csrf_token": token, "title": "", "owner_id": "", "due_date": ""})
    assert r.status_code == 422 and "title: is required" in r.get_data(as_text=True)


def test_html_edit_conflict_keeps_the_draft_and_shows_what_was_saved(app, client, w):
    from tests.conftest import page_csrf
    agree(w, Q, {"nps": "80", "advocacy": "6"})
    rid = api(client, w, "channel_manager", "POST", f"/partners/{w.acme.id}/reviews", json={"period": Q}).json["id"]
    first, second = app.test_client(), app.test_client()
    login(first, w.emails["channel_manager"])
    login(second, w.emails["partner_admin"])
    t1, t2 = page_csrf(first, f"/reviews/{rid}"), page_csrf(second, f"/reviews/{rid}")
    r = first.post(f"/reviews/{rid}/edit", data={"csrf_token": t1, "version": "1", "agenda": "Vendor agenda",
                                                 "vendor_notes": "v"})
    assert r.status_code == 302
    r = second.post(f"/reviews/{rid}/edit", data={"csrf_token": t2, "version": "1", "agenda": "Partner agenda",
                                                  "partner_notes": "p"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Someone saved this review" in html
    assert "Vendor agenda" in html and "Partner agenda" in html  # what was saved, and the draft kept
    body = api(client, w, "vendor_viewer", "GET", f"/reviews/{rid}").json
    assert body["content"]["agenda"] == "Vendor agenda" and body["content"]["notes"]["partner"] == ""


def test_a_review_due_for_the_quarter_just_ended_is_in_the_queue_of_who_may_open_it(app, client, w):
    """review_to_open: the ended quarter had agreed metrics and no review yet; it leaves once opened."""
    from app.auth.context import Actor
    from app.auth.models import Membership, User
    from app.core.registry import work_items
    from app.reviews.calendar import current_period
    from app.tenants.models import Tenant
    ended = str(current_period().previous())
    agree(w, ended, {"nps": "80", "advocacy": "6"})

    def due_for(who):
        with app.test_request_context(), tenant_scope(w.tenant.id):
            m = db.session.get(Membership, (w.tenant.id, w.people[who].id))
            actor = Actor(user=db.session.get(User, m.user_id), tenant=db.session.get(Tenant, w.tenant.id), membership=m)
            found = [(i.title, i.link) for i in work_items(actor) if i.kind == "review_to_open"]
            db.session.rollback()
            return found

    expected = [(f"Open the {ended} joint review of Acme Consulting", f"/reviews/partners/{w.acme.id}")]
    for who in ("vendor_admin", "channel_manager", "partner_admin"):
        assert due_for(who) == expected, who
    for who in ("other_manager", "vendor_viewer", "partner_user", "globex_admin"):
        assert due_for(who) == [], who  # not theirs to open, or another partner's
    login(client, w.emails["channel_manager"])
    page = client.get(expected[0][1])
    assert page.status_code == 200
    r = api(client, w, "partner_admin", "POST", f"/partners/{w.acme.id}/reviews", json={"period": ended})
    assert r.status_code == 201, r.json
    assert due_for("channel_manager") == [] and due_for("partner_admin") == []
