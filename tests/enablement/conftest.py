"""The enablement tests' world: two partners, partner A managed by the workspace's channel manager."""
from __future__ import annotations

import pytest

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import tenant_scope


@pytest.fixture
def world(app, make):
    w = build(make, with_accounts=False)
    with tenant_scope(w.tenant_id):
        db.session.get(Partner, (w.tenant_id, w.a_id)).channel_manager_id = w.members["channel_manager"].id
        db.session.commit()
    return w
