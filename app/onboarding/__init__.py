"""Onboarding checklists (issue 14)."""
