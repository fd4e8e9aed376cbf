"""Joint health metrics: catalogue, agreements, measurements, health score, dashboards."""


def __getattr__(name):
    # The blueprint (with its nav entries and initialisers) loads on first use, so the pure
    # modules of this package import without Flask, the database or the registries.
    if name == "bp":
        from app.health.blueprint import bp

        return bp
    raise AttributeError(name)
