"""Tier programme, quarter close, dynamic margin, overrides and what-if."""


def __getattr__(name):
    # The blueprint (with its nav entries and initialisers) loads on first use, so the pure
    # modules of this package import without Flask, the database or the registries.
    if name == "bp":
        from app.tiers.blueprint import bp

        return bp
    raise AttributeError(name)
