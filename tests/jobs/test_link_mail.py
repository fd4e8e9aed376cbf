"""Reset and invitation mail through the worker: the request only queues a reference; no secret is queued or stored."""
from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from app.auth.models import EmailToken, User
from app.extensions import db
from app.jobs.models import Job
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, link_in, login, outbox_messages


def _wait_for_mail(app, worker, count: int = 1) -> list[dict]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mails = outbox_messages(app)
        if len(mails) >= count:
            return mails
        time.sleep(0.05)
    raise AssertionError(f"no mail came: {worker.output()[-2000:]}")


def _huey_blobs(huey) -> bytes:
    """Everything huey holds: queued and scheduled messages, its key/value data (locks, progress)."""
    blobs = list(huey.storage.enqueued_items()) + list(huey.storage.scheduled_items())
    blobs += list(huey.storage.result_items().values())
    return b"".join(b for b in blobs if isinstance(b, bytes))


def test_a_reset_request_queues_only_the_users_id_and_the_worker_sends_a_working_link(app, client, make, worker):
    app.config["MAIL_VIA_QUEUE"] = True
    make.tenant("acme")
    page = client.get("/auth/reset")
    r = client.post("/auth/reset", data={"email": "admin@acme.example", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    assert outbox_messages(app) == []  # the request did not talk to the mail server
    huey = app.extensions["huey"]
    (message,) = huey.pending()
    user_id = db.session.scalar(select(User.id).where(User.email == "admin@acme.example"))
    assert message.name == "tandem.link_mail" and message.args == ("reset", str(user_id))  # a reference, no secret
    assert db.session.scalar(select(func.count()).select_from(EmailToken)) == 0  # no token exists yet
    db.session.rollback()
    worker.start()
    (mail,) = _wait_for_mail(app, worker)
    assert mail["to"] == "admin@acme.example" and mail["subject"] == "Reset your Tandem password"
    path = link_in(mail["body"])
    raw = path.rsplit("/", 1)[1]
    assert raw.encode() not in _huey_blobs(huey)
    page = client.get(path)
    assert page.status_code == 200
    r = client.post(path, data={"password": "a-brand-new-password", "confirm": "a-brand-new-password",
                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 302 and client.get(path).status_code == 404  # worked once


def test_an_invitation_is_a_job_holding_no_secret_and_its_link_works(app, client, make, worker):
    app.config["MAIL_VIA_QUEUE"] = True
    tenant = make.tenant("acme")
    login(client, "admin@acme.example")
    page = client.get("/users/invite")
    r = client.post("/users/invite", data={"email": "new@acme.example", "name": "New Person", "role": "vendor_viewer",
                                           "partner_id": "", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    assert outbox_messages(app) == []
    with tenant_scope(tenant.id):
        job = db.session.scalar(select(Job).where(Job.kind == "mail.link"))
        job_id, params = job.id, dict(job.params)
        db.session.rollback()
    assert set(params) == {"purpose", "user_id", "by"} and params["purpose"] == "invite"
    worker.start()
    (mail,) = _wait_for_mail(app, worker)
    assert mail["to"] == "new@acme.example" and "invited to Acme" in mail["subject"]
    path = link_in(mail["body"])
    raw = path.rsplit("/", 1)[1]
    deadline = time.monotonic() + 30
    while True:
        with tenant_scope(tenant.id):
            db.session.expire_all()
            job = db.session.get(Job, (tenant.id, job_id))
            state, stored = job.state, json.dumps([job.params, job.result, job.error])
            db.session.rollback()
        if state != "running" and state != "queued" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert state == "succeeded" and raw not in stored  # the token is nowhere in the job row
    assert raw.encode() not in _huey_blobs(app.extensions["huey"])
    fresh = app.test_client()
    page = fresh.get(path)
    assert page.status_code == 200 and "Accept your invitation" in page.get_data(as_text=True)
    r = fresh.post(path, data={"password": "a-brand-new-password", "confirm": "a-brand-new-password",
                               "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    login(app.test_client(), "new@acme.example", "a-brand-new-password")  # asserts the sign-in worked
