"""Template globals and filters."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Flask

from app.auth import roles
from app.auth.context import current_actor
from app.core.registry import nav_menus, visible_nav


def register(app: Flask) -> None:
    @app.context_processor
    def _globals():
        actor = current_actor()
        return {"actor": actor, "nav_items": visible_nav(actor), "nav_menus": nav_menus(actor),
                "role_labels": roles.ROLE_LABELS}

    @app.template_filter("when")
    def _when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"

    @app.template_filter("num")
    def _num(value, places: int = 1) -> str:
        if value is None:
            return "—"
        return f"{Decimal(str(value)):.{places}f}"
