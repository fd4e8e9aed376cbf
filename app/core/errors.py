"""HTTP errors that carry per-field messages."""
from __future__ import annotations

from werkzeug.exceptions import Conflict, UnprocessableEntity


class InvalidInput(UnprocessableEntity):
    """422 with {field: message}; nothing was written."""

    def __init__(self, fields: dict[str, str], message: str = "Some input is not valid.", **extra):
        super().__init__(message)
        self.fields = fields
        self.extra = extra


class ConflictError(Conflict):
    """409: stale version, locked quarter, out-of-order close."""

    def __init__(self, message: str):
        super().__init__(message)
        self.fields = None
