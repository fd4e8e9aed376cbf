"""Sign-in: passwords, throttling, session rotation and revocation, CSRF, reset and invitation links."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.auth.models import EmailToken, LoginSession, User
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from, link_in, login, outbox_messages, page_csrf


def _post_login(client, email, password):
    page = client.get("/auth/login")
    return client.post("/auth/login", data={"email": email, "password": password,
                                            "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_password_is_stored_as_argon2id_with_at_least_owasp_parameters(app, make):
    make.tenant("acme")
    stored = db.session.scalar(select(User.password_hash).where(User.email == "admin@acme.example"))
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_wrong_password_and_unknown_email_get_the_same_generic_answer(client, make):
    make.tenant("acme")
    wrong = _post_login(client, "admin@acme.example", "not-the-password")
    unknown = _post_login(client, "nobody@acme.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert "nobody@acme.example" in unknown.get_data(as_text=True)  # the form keeps what was typed


def test_sixth_failure_for_one_email_within_the_window_answers_429(client, make):
    make.tenant("acme")
    for _ in range(5):
        assert _post_login(client, "admin@acme.example", "wrong-password").status_code == 401
    assert _post_login(client, "admin@acme.example", "wrong-password").status_code == 429
    # Even the right password waits out the window now.
    assert _post_login(client, "admin@acme.example", PASSWORD).status_code == 429


def test_failures_from_one_address_across_emails_are_throttled_too(client, make):
    make.tenant("acme")
    for i in range(5):
        assert _post_login(client, f"user{i}@acme.example", "wrong-password").status_code == 401
    assert _post_login(client, "someone-else@acme.example", "wrong-password").status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, make):
    make.tenant("acme")
    for _ in range(7):
        assert _post_login(client, "admin@acme.example", PASSWORD).status_code == 302
        client.post("/auth/logout", data={"csrf_token": page_csrf(client)})


def test_session_rotates_at_sign_in_and_old_cookie_is_dead_after_sign_out(app, client, make):
    make.tenant("acme")
    client.get("/auth/login")
    before = client.get_cookie("session").value
    login(client, "admin@acme.example")
    after = client.get_cookie("session").value
    assert before != after
    assert client.get("/partners/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": page_csrf(client)})
    assert db.session.scalar(select(LoginSession)) is None
    # Replaying the signed-in cookie after sign-out no longer works: the server-side session is gone.
    replay = app.test_client()
    replay.set_cookie("session", after)
    response = replay.get("/partners/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_each_sign_in_gets_a_new_server_side_session_id(app, make):
    make.tenant("acme")
    ids = set()
    for _ in range(2):
        c = app.test_client()
        login(c, "admin@acme.example")
        ids.add(c.get_cookie("session").value)
    assert len(ids) == 2
    assert len(db.session.scalars(select(LoginSession.id)).all()) == 2


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    login(client, "admin@acme.example")
    response = client.post(f"/partners/{partner.id}/edit", data={"name": "Hijacked", "status": "active"})
    assert response.status_code == 400
    page = client.get(f"/partners/{partner.id}")
    assert "Hijacked" not in page.get_data(as_text=True) and "Alpha" in page.get_data(as_text=True)


def test_deactivated_membership_is_locked_out_on_its_next_request(app, make):
    tenant = make.tenant("acme")
    make.member(tenant, "channel_manager", email="cm@acme.example")
    cm = app.test_client()
    login(cm, "cm@acme.example")
    assert cm.get("/partners/").status_code == 200
    admin = app.test_client()
    login(admin, "admin@acme.example")
    html = admin.get("/users/").get_data(as_text=True)
    import re
    membership_id = re.search(r'/users/([0-9a-f-]{36})/deactivate', html).group(1)
    response = admin.post(f"/users/{membership_id}/deactivate", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    locked = cm.get("/partners/")
    assert locked.status_code == 302 and "/auth/login" in locked.headers["Location"]
    # Signing in again finds no active workspace.
    login(cm, "cm@acme.example", choose=False)
    assert "You have no active workspace" in cm.get("/auth/tenants").get_data(as_text=True)


def test_deactivated_user_is_signed_out_everywhere(app, make):
    tenant = make.tenant("acme")
    make.member(tenant, "vendor_viewer", email="viewer@acme.example")
    viewer = app.test_client()
    login(viewer, "viewer@acme.example")
    db.session.execute(update(User).where(User.email == "viewer@acme.example").values(active=False))
    db.session.commit()
    response = viewer.get("/partners/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _post_login(app.test_client(), "viewer@acme.example", PASSWORD).status_code == 401


def _request_reset(client, email):
    page = client.get("/auth/reset")
    return client.post("/auth/reset", data={"email": email, "csrf_token": csrf_from(page.get_data(as_text=True))})


def _set_password(client, path, password):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_password_reset_link_works_once(app, client, make):
    make.tenant("acme")
    assert _request_reset(client, "admin@acme.example").status_code == 302
    assert _request_reset(client, "unknown@acme.example").status_code == 302  # same answer, no mail
    mails = outbox_messages(app)
    assert [m["to"] for m in mails] == ["admin@acme.example"]
    path = link_in(mails[0]["body"])
    assert _set_password(client, path, "a-brand-new-password").status_code == 302
    assert _post_login(app.test_client(), "admin@acme.example", "a-brand-new-password").status_code == 302
    assert client.get(path).status_code == 404  # used
    assert _post_login(app.test_client(), "admin@acme.example", PASSWORD).status_code == 401


def test_expired_reset_link_is_refused(app, client, make):
    make.tenant("acme")
    _request_reset(client, "admin@acme.example")
    path = link_in(outbox_messages(app)[0]["body"])
    from app.core.db import utcnow
    db.session.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(path).status_code == 404
    response = client.post(path, data={"password": "another-new-password", "confirm": "another-new-password"})
    assert response.status_code in (400, 404)
    assert _post_login(app.test_client(), "admin@acme.example", PASSWORD).status_code == 302


def test_reset_form_errors_keep_the_link_usable(app, client, make):
    make.tenant("acme")
    _request_reset(client, "admin@acme.example")
    path = link_in(outbox_messages(app)[0]["body"])
    page = client.get(path)
    response = client.post(path, data={"password": "short", "confirm": "short",
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 422 and "at least 10 characters" in response.get_data(as_text=True)
    assert _set_password(client, path, "long-enough-password").status_code == 302


def test_invitation_link_sets_password_once_and_gives_access(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha Partners")
    admin = app.test_client()
    login(admin, "admin@acme.example")
    page = admin.get("/users/invite")
    response = admin.post("/users/invite", data={
        "email": "new.person@alpha.example", "name": "New Person", "role": "partner_admin",
        "partner_id": str(partner.id), "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    mail = outbox_messages(app)[-1]
    assert mail["to"] == "new.person@alpha.example"
    path = link_in(mail["body"])
    invited = app.test_client()
    assert _set_password(invited, path, "my-own-password-1").status_code == 302
    assert invited.get(path).status_code == 404  # single use
    login(invited, "new.person@alpha.example", "my-own-password-1")
    home = invited.get("/home")
    assert home.status_code == 200 and "Alpha Partners" in home.get_data(as_text=True)


def test_expired_invitation_is_refused(app, make):
    tenant = make.tenant("acme")
    admin = app.test_client()
    login(admin, "admin@acme.example")
    page = admin.get("/users/invite")
    admin.post("/users/invite", data={"email": "late@acme.example", "role": "vendor_viewer", "partner_id": "",
                                      "csrf_token": csrf_from(page.get_data(as_text=True))})
    path = link_in(outbox_messages(app)[-1]["body"])
    from app.core.db import utcnow
    db.session.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert app.test_client().get(path).status_code == 404
    assert tenant is not None


def test_user_with_two_tenants_picks_and_switches(app, make):
    first = make.tenant("first", "First Vendor")
    second = make.tenant("second", "Second Vendor")
    make.member(second, "vendor_viewer", email="admin@first.example")
    make.partner(first, "Partner Of First")
    make.partner(second, "Partner Of Second")
    client = app.test_client()
    login(client, "admin@first.example", choose=False)
    page = client.get("/auth/tenants")
    html = page.get_data(as_text=True)
    assert "First Vendor" in html and "Second Vendor" in html
    import re
    choices = dict((name, mid) for mid, name in re.findall(
        r'name="membership_id" value="([^"]+)">\s*<button type="submit">Enter ([^<]+)</button>', html))
    client.post("/auth/tenants", data={"membership_id": choices["Second Vendor"], "csrf_token": csrf_from(html)})
    listing = client.get("/partners/").get_data(as_text=True)
    assert "Partner Of Second" in listing and "Partner Of First" not in listing
    html = client.get("/auth/tenants").get_data(as_text=True)
    client.post("/auth/tenants", data={"membership_id": choices["First Vendor"], "csrf_token": csrf_from(html)})
    listing = client.get("/partners/").get_data(as_text=True)
    assert "Partner Of First" in listing and "Partner Of Second" not in listing


def test_choosing_a_membership_of_someone_else_answers_404(app, make):
    first = make.tenant("first")
    other = make.tenant("other")
    foreign = make.admin_membership(other)
    client = app.test_client()
    login(client, "admin@first.example", choose=False)
    response = client.post("/auth/tenants", data={"membership_id": str(foreign.id), "csrf_token": page_csrf(client)})
    assert response.status_code == 404
    assert first is not None


def test_open_redirect_after_sign_in_is_refused(client, make):
    make.tenant("acme")
    page = client.get("/auth/login?next=//evil.example/")
    response = client.post("/auth/login?next=//evil.example/", data={
        "email": "admin@acme.example", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]
