"""The audit page (HTML, not only its export) shows the signed-in tenant's events only."""
from __future__ import annotations

import re

from tests.conftest import login


def test_audit_page_never_shows_another_tenants_events(app, make):
    alpha = make.tenant("alpha", "Alpha Vendor")
    beta = make.tenant("beta", "Beta Vendor")
    make.partner(alpha, "Alpha Partner Ltd")
    secret = make.partner(beta, "Beta Secret Partner Ltd")
    c = app.test_client()
    login(c, "admin@alpha.example")
    own = c.get("/audit/")
    assert own.status_code == 200 and "Alpha Partner Ltd" in own.get_data(as_text=True)
    probes = ["/audit/", f"/audit/?object={secret.id}", "/audit/?object=Beta+Secret",
              "/audit/?actor=admin%40beta.example", "/audit/?action=partner.create&page=1",
              "/audit/?page=2", "/audit/?object=%25", "/audit/?from=2000-01-01&to=2999-12-31"]
    for url in probes:
        response = c.get(url)
        body = re.sub(r'(value|href)="[^"]*"', "", response.get_data(as_text=True))  # filters and links echo the query
        assert response.status_code == 200, url
        assert "Beta Secret Partner Ltd" not in body and str(secret.id) not in body and "admin@beta.example" not in body, url
    # The other tenant's admin sees its own event, and none of alpha's.
    c2 = app.test_client()
    login(c2, "admin@beta.example")
    body = c2.get("/audit/?object=partner").get_data(as_text=True)
    assert "Beta Secret Partner Ltd" in body and "Alpha Partner Ltd" not in body


def test_audit_page_is_refused_to_partner_staff(app, make):
    tenant = make.tenant("alpha")
    partner = make.partner(tenant, "Alpha Partner Ltd")
    make.member(tenant, "partner_admin", partner, email="pa@alpha.example")
    c = app.test_client()
    login(c, "pa@alpha.example")
    assert c.get("/audit/").status_code in (403, 404)
    assert c.get("/audit/export.csv").status_code in (403, 404)
