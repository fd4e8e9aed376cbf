"""Demo data: the vendor admin closes, in order, every quarter the health demo recorded for each partner."""
from __future__ import annotations

from app.health.demo import SERIES, quarters_of
from app.tiers import services


def seed(demo) -> None:
    """Runs after the health seeder (order 51 > 50): every quarter it recorded closes, in order."""
    admin = demo.members["admin@northwind.example"]
    for name in SERIES:
        for period in quarters_of(name):
            services.close_one(demo.partners[name], period, admin)
