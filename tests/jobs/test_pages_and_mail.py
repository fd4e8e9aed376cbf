"""The import as a person sees it (upload, job page, progress JSON, no-JS refresh), and e-mail as a job."""
from __future__ import annotations

import io
import re

from flask import g
from sqlalchemy import select

from app.auth.context import actor_for_email
from app.extensions import db
from app.jobs.models import Job
from app.notifications.services import notify
from app.tenancy import tenant_scope
from tests.conftest import login, outbox_messages, page_csrf
from tests.jobs.conftest import ENDED, csv_rows, wait_for


def _status(client, location: str) -> dict:
    r = client.get(location + "/status")
    assert r.status_code == 200 and r.is_json
    return r.get_json()


def test_upload_redirects_to_the_job_page_which_shows_progress_then_the_summary(client, make, worker):
    tenant = make.tenant()
    login(client, f"admin@{tenant.slug}.example")
    token = page_csrf(client, "/accounts/import")
    r = client.post("/accounts/import", data={"csrf_token": token, "file": (io.BytesIO(csv_rows(3_000)), "big.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    location = r.headers["Location"]
    assert re.fullmatch(r"/jobs/[0-9a-f-]{36}", location)
    page = client.get(location).get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "<noscript>" in page  # the no-JavaScript fallback
    assert "job-progress.js" in page and 'data-state="queued"' in page
    assert _status(client, location)["state"] == "queued"
    worker.start()
    deadline_job = None
    for _ in range(3000):
        deadline_job = _status(client, location)
        if deadline_job["state"] in ("succeeded", "failed", "cancelled"):
            break
        import time
        time.sleep(0.02)
    assert deadline_job["state"] == "succeeded", deadline_job
    client.get("/accounts/")  # away and back
    done = client.get(location).get_data(as_text=True)
    assert "http-equiv" not in done and "Done." in done and "created: 3000" in done
    listing = client.get("/jobs/").get_data(as_text=True)
    assert "Import of big.csv" in listing and "succeeded" in listing


def test_a_rejected_file_shows_its_bad_row_on_the_job_page(client, make, worker):
    tenant = make.tenant()
    login(client, f"admin@{tenant.slug}.example")
    token = page_csrf(client, "/accounts/import")
    r = client.post("/accounts/import", data={"csrf_token": token, "file": (
        io.BytesIO(csv_rows(50, bad_row=7)), "bad.csv")}, content_type="multipart/form-data")
    worker.start()
    location = r.headers["Location"]
    import time
    for _ in range(1500):
        if _status(client, location)["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.02)
    page = client.get(location).get_data(as_text=True)
    assert "1 problem found; nothing was imported." in page
    assert "<td>8</td><td>domain</td>" in page
    assert "Run again" not in page  # the file itself was wrong (and is deleted): nothing to retry


def test_partner_staff_see_their_partners_jobs_only(client, make):
    tenant = make.tenant()
    mine, other = make.partner(tenant, "Mine"), make.partner(tenant, "Other")
    user = make.member(tenant, "partner_user", mine)
    colleague = make.member(tenant, "partner_admin", mine)
    stranger = make.member(tenant, "partner_admin", other)
    manager = make.member(tenant, "channel_manager")
    emails = {}
    with tenant_scope(tenant.id):
        from app.auth.models import Membership, User
        for m in (user, colleague, stranger, manager):
            emails[m.id] = db.session.scalar(select(User.email).join(Membership, Membership.user_id == User.id)
                                             .where(Membership.id == m.id))
    login(client, emails[user.id])
    token = page_csrf(client, "/accounts/import")
    location = client.post("/accounts/import", data={"csrf_token": token, "file": (
        io.BytesIO(csv_rows(5)), "ours.csv")}, content_type="multipart/form-data").headers["Location"]
    for m, seen in ((colleague, 200), (stranger, 404), (manager, 404)):
        c = client.application.test_client()
        login(c, emails[m.id])
        assert c.get(location).status_code == seen
        assert ("ours.csv" in c.get("/jobs/").get_data(as_text=True)) is (seen == 200)
    admin = client.application.test_client()
    login(admin, f"admin@{tenant.slug}.example")
    assert admin.get(location).status_code == 200


def test_mail_sent_from_a_request_goes_through_the_worker(app, make, worker):
    app.config["MAIL_VIA_QUEUE"] = True
    tenant = make.tenant()
    person = make.member(tenant, "channel_manager", email=f"cm@{tenant.slug}.example")
    with app.test_request_context("/"), tenant_scope(tenant.id):
        g.actor = actor_for_email(tenant, f"admin@{tenant.slug}.example")
        notify([person], subject="Queued hello", body="From the worker.", link="/notifications/")
        db.session.commit()
        job = db.session.scalar(select(Job).where(Job.kind == "mail.send"))
        job_id = job.id
        db.session.rollback()
    assert outbox_messages(app) == []  # not sent by the request
    worker.start()
    import time
    for _ in range(1500):
        with tenant_scope(tenant.id):
            db.session.expire_all()
            job = db.session.get(Job, (tenant.id, job_id))
            state, params = job.state, dict(job.params)
            db.session.rollback()
        if state in ("succeeded", "failed"):
            break
        time.sleep(0.02)
    assert state == "succeeded"
    assert [m["subject"] for m in outbox_messages(app)] == ["[Tandem] Queued hello"]
    assert "messages" not in params  # addresses and texts are not kept once sent
