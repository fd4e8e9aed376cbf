"""Benchmarks: `python -m bench` runs every bench/*.py module that defines run()."""
