"""Communication plans: who talks to whom and when, through which channels, and what each side shares."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_partner_home_panel, add_partner_panel

bp = Blueprint("commplan", __name__, url_prefix="/plan")
add_nav("Communication plan", "commplan.index", lambda a: a.is_partner_side, order=36, group="Relationship")
add_nav("Communication plans", "commplan.index", lambda a: a.is_vendor, order=36, group="Relationship")


def _vendor_panel(actor, partner):
    from app.commplan.routes import panel

    return panel(actor, partner) if actor.is_vendor else None


def _home_panel(actor, partner):
    from app.commplan.routes import panel

    return panel(actor, partner) if actor.is_partner_side else None


def _seed_demo(demo):
    from app.commplan.demo import seed

    seed(demo)


add_partner_panel("commplan", _vendor_panel, order=25)
add_partner_home_panel("commplan", _home_panel, order=25)
add_demo_seeder(_seed_demo, order=75)

from app.commplan import routes  # noqa: E402,F401

from app.core.registry import add_work_items  # noqa: E402
from app.commplan.work import touches_due  # noqa: E402

add_work_items(touches_due, order=50, kinds={"touch_due": "Meetings due", "plan_review_due": "Communication plans due for review"})
