"""Enhancement requests: the partner's voice, supporters, use cases, triage and its timeline."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_review_section

bp = Blueprint("enhancements", __name__, url_prefix="/enhancements")
add_nav("Enhancement requests", "enhancements.index", lambda a: a.is_vendor or a.is_partner_side, order=40,
        group="Relationship")


def _review_build(partner, period, side):
    from app.enhancements.review import build

    return build(partner, period, side)


def _seed_demo(demo):
    from app.enhancements.demo import seed

    seed(demo)


add_review_section("enhancements", "What we asked for, what happened", _review_build,
                   "enhancements/review_section.html", order=70)
add_demo_seeder(_seed_demo, order=80)

from app.enhancements import routes  # noqa: E402,F401

from app.core.registry import add_activity_phraser, add_work_items  # noqa: E402
from app.enhancements.work import phrase, requests_to_act_on  # noqa: E402

add_activity_phraser(phrase)

add_work_items(requests_to_act_on, order=60, kinds={"enhancement_to_triage": "Enhancement requests to triage",
                                                      "enhancement_needs_use_case": "Use cases asked of you"})
