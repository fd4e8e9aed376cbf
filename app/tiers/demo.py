"""Demo data: the vendor admin closes the health demo's three quarters for each of its partners."""
from __future__ import annotations

from app.health.demo import QUARTERS, SERIES
from app.tiers import services


def seed(demo) -> None:
    """Runs after the health seeder (order 51 > 50): every quarter it recorded closes, in order."""
    admin = demo.members["admin@northwind.example"]
    for name in SERIES:
        for period in QUARTERS:
            services.close_one(demo.partners[name], period, admin)
