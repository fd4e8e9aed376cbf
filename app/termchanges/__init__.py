"""Term-change requests: either side asks to change the partnership's terms; the other answers."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_partner_home_panel, add_partner_panel

bp = Blueprint("termchanges", __name__, url_prefix="/terms")


def _vendor_panel(actor, partner):
    from app.termchanges.routes import panel

    return panel(actor, partner) if actor.is_vendor else None


def _home_panel(actor, partner):
    from app.termchanges.routes import panel

    return panel(actor, partner) if actor.is_partner_side else None


def _seed_demo(demo):
    from app.termchanges.demo import seed

    seed(demo)


add_partner_panel("termchanges", _vendor_panel, order=62)
add_partner_home_panel("termchanges", _home_panel, order=62)
add_demo_seeder(_seed_demo, order=85)

from app.termchanges import routes  # noqa: E402,F401

from app.core.registry import add_activity_phraser, add_work_items  # noqa: E402
from app.termchanges.work import changes_to_answer, phrase  # noqa: E402

add_activity_phraser(phrase)

add_work_items(changes_to_answer, order=30, kinds={"term_change_to_answer": "Term changes waiting for your answer"})
