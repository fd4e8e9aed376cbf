"""Accounts: import, export, detail with insights, mapping, ownership and channel conflicts."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
add_nav("Accounts", "accounts.index", lambda a: a.is_vendor or a.is_partner_side, order=30, group="Customers")
add_nav("Account mapping", "accounts.mapping", lambda a: a.is_vendor, order=31, group="Customers")

from app.accounts import routes  # noqa: E402,F401
from app.accounts import jobs  # noqa: E402,F401  (the import as a background job)
from app.accounts.demo import seed  # noqa: E402

add_demo_seeder(seed, order=40)
