"""Idempotency-Key on API POSTs: replay, another body, concurrency (one effect), expiry."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from app.api.models import IdempotencyKey
from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.partners.models import Partner
from tests.conftest import owner_view


def _headers(token, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def _count(model, *where) -> int:
    with owner_view() as owner:
        return owner.scalar(select(func.count()).select_from(model).where(*where))


def _admin(make, slug="acme"):
    return make.token(make.admin_membership(make.tenant(slug)))


def test_same_key_and_body_replays_without_doing_the_work_again(client, make):
    token = _admin(make)
    first = client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k-1"))
    again = client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k-1"))
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(Partner) == 1
    assert _count(AuditEvent, AuditEvent.action == "partner.create") == 1
    # Without a key, or with a new one, the work is done again.
    assert client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token)).status_code == 201
    assert client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k-2")).status_code == 201
    assert _count(Partner) == 3


def test_same_key_with_another_body_or_operation_answers_422(client, make):
    token = _admin(make)
    assert client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k")).status_code == 201
    other = client.post("/api/v1/partners", json={"name": "Beta"}, headers=_headers(token, "k"))
    assert other.status_code == 422 and "Idempotency-Key" in other.json["error"]["fields"]
    assert client.post("/api/v1/profiles", json={"name": "P", "criteria": []},
                       headers=_headers(token, "k")).status_code == 422
    assert _count(Partner) == 1


def test_keys_belong_to_one_token(client, make):
    tenant = make.tenant("acme")
    one = make.token(make.admin_membership(tenant))
    two = make.token(make.member(tenant, "vendor_admin"))
    assert client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(one, "shared")).status_code == 201
    second = client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(two, "shared"))
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert _count(Partner) == 2


def test_a_failed_request_stores_nothing_and_may_be_repeated(client, make):
    token = _admin(make)
    bad = client.post("/api/v1/partners", json={"name": ""}, headers=_headers(token, "k"))
    assert bad.status_code == 422
    assert _count(IdempotencyKey) == 0
    good = client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k"))
    assert good.status_code == 201


def test_bad_keys_answer_422(client, make):
    token = _admin(make)
    for key in ("", "x" * 256, "caf\u00e9".encode().decode("latin-1")):
        response = client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, key))
        assert response.status_code == 422 and "Idempotency-Key" in response.json["error"]["fields"], key
    assert _count(Partner) == 0


def test_expired_keys_run_again(client, make):
    token = _admin(make)
    assert client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k")).status_code == 201
    with owner_view() as owner:
        row = owner.scalar(select(IdempotencyKey))
        assert timedelta(hours=23, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=24)
        owner.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
        owner.commit()
    again = client.post("/api/v1/partners", json={"name": "Alpha"}, headers=_headers(token, "k"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert _count(Partner) == 2
    assert _count(IdempotencyKey) == 1  # the expired row made way for the new one


def test_concurrent_requests_with_one_key_have_one_effect(app, make):
    token = _admin(make)
    rounds = 4
    for n in range(rounds):
        barrier = threading.Barrier(2)
        answers = []

        def send():
            c = app.test_client()
            barrier.wait()
            answers.append(c.post("/api/v1/partners", json={"name": f"Twin {n}"}, headers=_headers(token, f"twin-{n}")))

        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert [a.status_code for a in answers] == [201, 201]
        assert answers[0].json == answers[1].json
        assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 1
    assert _count(Partner) == rounds
    assert _count(AuditEvent, AuditEvent.action == "partner.create") == rounds


def test_every_post_documents_the_header(client, make):
    document = client.get("/api/v1/openapi.json").json
    posts = [op for item in document["paths"].values() for m, op in item.items() if m == "post"]
    assert posts
    for op in posts:
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"]), op["operationId"]
