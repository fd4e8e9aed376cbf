"""Admin commands used by `make security` and operators, run as the app role on PostgreSQL."""
from tests.conftest import PASSWORD


def test_tokens_create_prints_a_working_token(app, runner, make):
    make.tenant("cli")
    result = runner.invoke(args=["tokens", "create", "--tenant", "cli", "--email", "admin@cli.example"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["tenant"]["slug"] == "cli"


def test_users_create_adds_a_member_who_can_sign_in(app, runner, make):
    make.tenant("cli2")
    result = runner.invoke(args=["users", "create", "--tenant", "cli2", "--email", "new@cli2.example",
                                 "--password", PASSWORD, "--role", "vendor_viewer"])
    assert result.exit_code == 0, result.output
    from tests.conftest import login
    client = app.test_client()
    login(client, "new@cli2.example")
    assert client.get("/partners/").status_code == 200
