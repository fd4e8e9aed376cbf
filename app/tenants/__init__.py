"""Tenants: one vendor's workspace."""
