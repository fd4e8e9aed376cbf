"""The app served on 127.0.0.1 in a thread, seeded with the demo tenant, for black-box tools."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from app.auth.services import create_api_token
from app.extensions import db
from app.tenancy import tenant_scope, unscoped

ROLE_LOGINS = {
    "vendor_admin": "admin@northwind.example",
    "channel_manager": "manager@northwind.example",
    "vendor_viewer": "viewer@northwind.example",
    "partner_admin": "admin@acme-consulting.example",
    "partner_user": "user@acme-consulting.example",
}


def seed_with_tokens() -> dict[str, str]:
    """The demo tenant (every feature's sample data) and one API token per role."""
    from app.demo import seed_demo

    with unscoped("seed the live test server"):
        demo = seed_demo()
        db.session.commit()
    tokens = {}
    with tenant_scope(demo.tenant.id):
        for role, email in ROLE_LOGINS.items():
            tokens[role] = create_api_token(demo.members[email], f"schemathesis {role}")
        db.session.commit()
    db.session.expunge_all()
    return tokens


@contextmanager
def served(app):
    """Serve app on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
