"""The API reference page: vendored Swagger UI renders the live document under the CSP, no CDN."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_reference_renders_every_operation_under_the_csp(page, live_server, client):
    requests, missing = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    response = page.goto(f"{live_server}/docs/api")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary", timeout=20000)
    document = client.get("/api/v1/openapi.json").json
    operations = sum(len(item) for item in document["paths"].values())
    assert page.locator(".opblock").count() == operations
    assert page.locator("text=Tandem API").count() >= 1
    assert all(url.endswith("/favicon.ico") for url in missing), missing  # the browser asks for one itself
    assert not [e for e in page.console_errors if "404" not in e], page.console_errors
    assert all(url.startswith(live_server) for url in requests), [u for u in requests if not u.startswith(live_server)]


def test_footer_links_the_reference(client, make):
    make.tenant("acme")
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/docs/api"' in html
    assert client.get("/docs/api").status_code == 200
