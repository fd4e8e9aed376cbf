"""Tier services, one module per job: the programme, the close run, overrides, and the history.

The names below are the package's API, so callers import `app.tiers.services` whichever module
holds the code.
"""
from app.core.registry import locked_partner_ids, quarter_locked  # noqa: F401
from app.health.scoring import terms_of  # noqa: F401
from app.tiers.services.close import CLOSE_BATCH, Closed, CloseReport, close_one, close_quarter  # noqa: F401
from app.tiers.services.history import (  # noqa: F401
    WhatIfView, get_close, latest_close, margin_history, what_if_for,
)
from app.tiers.services.overrides import OVERRIDE_REASON_MIN, override  # noqa: F401
from app.tiers.services.programme import (  # noqa: F401
    DEFAULT_TIERS, get_programme, install_default_programme, load_tiers, save_programme,
)
