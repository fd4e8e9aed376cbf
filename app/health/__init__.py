"""Joint health metrics: catalogue, agreements, measurements, health score, dashboards."""
from decimal import Decimal

from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_tenant_initialiser

bp = Blueprint("health", __name__, url_prefix="/health")
add_nav("Health", "health.dashboard", lambda a: a.is_vendor, order=30, group="Programme")
add_nav("Health & margin", "health.partner_page_self", lambda a: a.is_partner_side, order=30,
        group="Programme")


@bp.app_template_filter("plain")
def plain_number(value) -> str:
    """A stored Decimal as people write it: 50 not 50.000000, 0.95 not 9.5E-1."""
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text


from app.health import routes, services  # noqa: E402,F401
from app.health.demo import seed  # noqa: E402

add_tenant_initialiser(services.install_default_catalogue)
add_demo_seeder(seed, order=50)

from app.core.registry import add_activity_phraser, add_work_items  # noqa: E402
from app.health import work  # noqa: E402

add_work_items(work.agreements_to_answer, order=10, kinds={"agreement_to_answer": "Agreements waiting for your answer"})
add_activity_phraser(work.phrase)
