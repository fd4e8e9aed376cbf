"""Benchmarks: every bench/*.py module with a run() function; `python -m bench` runs them all."""
