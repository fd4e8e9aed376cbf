"""Shared building blocks: the declarative base, ids, time, request lifecycle."""
