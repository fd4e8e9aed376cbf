"""The health pages without JavaScript: propose, accept, measure (form and CSV), close, what-if, dashboards."""
from __future__ import annotations

import io
import re

from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import login, outbox_messages, page_csrf


def test_done_when_flow_through_the_pages(app, make):
    from app.partners.models import Partner

    tenant = make.tenant("north")
    partner = make.partner(tenant, "Acme Consulting")
    manager = make.member(tenant, "channel_manager", email="cm@north.example")
    make.member(tenant, "partner_admin", partner, email="pa@acme.example")
    with tenant_scope(tenant.id):
        p = db.session.get(Partner, (tenant.id, partner.id))
        p.channel_manager_id = manager.id
        db.session.commit()

    cm = app.test_client()
    login(cm, "cm@north.example")
    form = cm.get(f"/health/partners/{partner.id}/propose").get_data(as_text=True)
    rows = int(re.search(r'name="rows" value="(\d+)"', form).group(1))
    data = {"csrf_token": page_csrf(cm, f"/health/partners/{partner.id}/propose"), "period": "2026-Q3",
            "rows": str(rows), "note": "Our first joint metrics"}
    # Two metrics: NPS and a lower-is-better time to value.
    data.update({"include-0": "on", "key-0": "nps", "direction-0": "higher", "target-0": "50", "floor-0": "0",
                 "weight-0": "2", "include-1": "on", "key-1": "time_to_value", "direction-1": "lower",
                 "target-1": "30", "floor-1": "90", "weight-1": "1"})
    bad = cm.post(f"/health/partners/{partner.id}/propose", data={**data, "floor-0": "50"})
    assert bad.status_code == 422 and "must differ from the floor" in bad.get_data(as_text=True)
    r = cm.post(f"/health/partners/{partner.id}/propose", data=data)
    assert r.status_code == 302
    agreement_url = r.headers["Location"]
    assert any(m["to"] == "pa@acme.example" for m in outbox_messages(app))

    pa = app.test_client()
    login(pa, "pa@acme.example")
    home = pa.get("/home").get_data(as_text=True)
    assert "waits for you" in home
    page = pa.get(agreement_url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    r = pa.post(agreement_url + "/accept", data={"csrf_token": page_csrf(pa, agreement_url), "version": version})
    assert r.status_code == 302

    # Measurements: a non-number is refused with the input kept; then the form; then a CSV for the other one.
    r = cm.post(agreement_url + "/measurements", data={"csrf_token": page_csrf(cm, agreement_url),
                                                       "value-nps": "forty", "source": "survey"})
    assert r.status_code == 422 and 'value="forty"' in r.get_data(as_text=True)
    r = cm.post(agreement_url + "/measurements", data={"csrf_token": page_csrf(cm, agreement_url),
                                                       "value-nps": "40", "source": "survey"})
    assert r.status_code == 302
    csv_file = (io.BytesIO(b"key,value,source\ntime_to_value,45,onboarding tracker\n"), "m.csv")
    r = pa.post(agreement_url + "/measurements/csv", data={"csrf_token": page_csrf(pa, agreement_url),
                                                           "file": csv_file}, content_type="multipart/form-data")
    assert r.status_code == 302
    bad_csv = (io.BytesIO(b"key,value\ncsat,4\n"), "m.csv")
    r = pa.post(agreement_url + "/measurements/csv", data={"csrf_token": page_csrf(pa, agreement_url),
                                                           "file": bad_csv}, content_type="multipart/form-data")
    assert r.status_code == 422 and "not a metric of this agreement" in r.get_data(as_text=True)
    page = pa.get(agreement_url).get_data(as_text=True)
    assert "78.3" in page  # 100 * (2 * 0.8 + 0.75) / 3 = 78.33 -> 78.3, green

    # The channel manager closes the quarter; both sides see the tier and margin that follow.
    r = cm.post(f"/tiers/partners/{partner.id}/quarters/2026-Q3/close",
                data={"csrf_token": page_csrf(cm, f"/health/partners/{partner.id}")})
    assert r.status_code == 302
    vendor_page = cm.get(f"/health/partners/{partner.id}").get_data(as_text=True)
    partner_page = pa.get(f"/health/partners/{partner.id}").get_data(as_text=True)
    for html in (vendor_page, partner_page):
        assert "Gold in 2026-Q4" in html and "21.32 %" in html  # 20 + 10 * (78.3 - 75) / 25
    dashboard = cm.get("/health/?sort=margin&dir=desc").get_data(as_text=True)
    assert "Acme Consulting" in dashboard and "promoted" in dashboard

    # What-if: nothing saved, the answer shown.
    r = pa.get(f"/tiers/partners/{partner.id}/what-if?value-nps=50&value-time_to_value=30&bookings=100000")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "100.0" in html and "30.00 %" in html
    r = pa.get(f"/tiers/partners/{partner.id}/what-if?value-nps=lots")
    assert r.status_code == 422 and "must be a number" in r.get_data(as_text=True)
