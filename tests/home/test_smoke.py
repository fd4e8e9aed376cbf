from tests.conftest import login


def test_login_page_and_partner_directory(client, make):
    tenant = make.tenant("acme")
    make.partner(tenant, "Alpha Partners")
    page = client.get("/auth/login")
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    login(client, "admin@acme.example")
    response = client.get("/partners/")
    assert response.status_code == 200
    assert "Alpha Partners" in response.get_data(as_text=True)
