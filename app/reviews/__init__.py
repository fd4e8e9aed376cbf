"""Quarterly joint performance reviews: the living review, action items, sign-off, frozen snapshot, PDF."""
from flask import Blueprint

from app.core.registry import (
    add_demo_seeder, add_nav, add_partner_home_panel, add_partner_panel, add_quarter_lock, add_work_items,
)

bp = Blueprint("reviews", __name__, url_prefix="/reviews", cli_group="reviews")
add_nav("Reviews", "reviews.index", lambda a: a.is_vendor or a.is_partner_side, order=37, group="Programme")


def _lock(period):
    from app.reviews.services import locked_partners

    return locked_partners(period)


def _work_items(actor, book):
    from app.reviews.calendar import work_items

    return work_items(actor, book)


def _home_panel(actor, partner):
    from app.reviews.routes import home_panel

    return home_panel(actor, partner)


def _seed_demo(demo):
    from app.reviews.demo import seed

    seed(demo)


add_quarter_lock(_lock)
add_work_items(_work_items, order=30, kinds={"review_to_open": "Joint reviews due",
                                             "review_to_sign": "Joint reviews waiting for your signature",
                                             "review_action_item": "Review action items due"})
add_partner_home_panel("reviews", _home_panel, order=20)
add_partner_panel("reviews", _home_panel, order=60)  # the same state on the vendor's partner page
add_demo_seeder(_seed_demo, order=90)

from app.reviews import commands, routes  # noqa: E402,F401
from app.reviews import jobs  # noqa: E402,F401  (the PDF pack as a background job)
