"""WSGI entry point: gunicorn 'wsgi:app', and flask --app wsgi for commands."""
import gc

from app import create_app

app = create_app()
# What start-up built (modules, the app, its routes, models and OpenAPI shapes: some 235,000 objects)
# lives as long as the process. Frozen, it is out of the cyclic collector's view, so the full
# collections that requests trigger scan only what requests made (they cost 160-330 ms before).
gc.freeze()
