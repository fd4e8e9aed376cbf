"""Hardening from the hostile-partner probe (issue 19)."""
