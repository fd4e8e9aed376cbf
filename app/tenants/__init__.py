"""Tenants: one vendor's workspace, its records and members (the scope itself is app.tenancy, RLS app.security)."""
