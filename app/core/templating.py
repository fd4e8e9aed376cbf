"""Template globals and filters."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Flask, request

from app.auth import roles
from app.auth.context import current_actor
from app.core.registry import nav_menus, visible_nav


def register(app: Flask) -> None:
    @app.context_processor
    def _globals():
        actor = current_actor()
        menus = nav_menus(actor)
        return {"actor": actor, "nav_items": visible_nav(actor), "nav_menus": menus,
                "nav_section": _section(menus), "role_labels": roles.ROLE_LABELS}

    def _section(menus) -> str | None:
        """The menu holding the current page: its endpoint, else an entry of the same blueprint."""
        endpoint = request.endpoint or ""
        blueprint = endpoint.split(".", 1)[0] if "." in endpoint else None
        grouped = [(group, item) for group, items in menus if group for item in items]
        for group, item in grouped:
            if item.endpoint == endpoint:
                return group
        for group, item in grouped:
            if blueprint and item.endpoint.split(".", 1)[0] == blueprint:
                return group
        return None

    @app.template_filter("when")
    def _when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"

    @app.template_filter("num")
    def _num(value, places: int = 1) -> str:
        if value is None:
            return "—"
        return f"{Decimal(str(value)):.{places}f}"
