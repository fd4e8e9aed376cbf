"""Defence in depth: PostgreSQL row-level security, the app role, the append-only audit table."""
