"""The job worker's entry point: `huey_consumer worker.huey` (make run starts it beside gunicorn).

It builds the same app as wsgi.py (same configuration, database and queue) and hands huey the
queue; every job runs in an app context and tenant scope of its own (app/jobs/runner.py).
"""
from app import create_app

app = create_app()
huey = app.extensions["huey"]
