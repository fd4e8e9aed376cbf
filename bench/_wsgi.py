"""The benchmark's app for gunicorn (`bench._wsgi:app`): the app plus its bare route, on the
database named by BENCH_DATABASE_URL (and BENCH_APP_DATABASE_URL, the app role, on PostgreSQL)."""
import os

from bench.pages import bench_app

app = bench_app(os.environ["BENCH_DATABASE_URL"], os.environ.get("BENCH_APP_DATABASE_URL") or None)
