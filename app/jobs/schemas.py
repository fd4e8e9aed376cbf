"""Answers of the jobs API as pydantic models: the API sends each job through its model, and the document's
response schemas are the models'."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.api.contract import Out, Uuid
from app.jobs.models import PHASES, STATES

Stamp = str  # a datetime as ISO 8601 text (with its offset on PostgreSQL; SQLite keeps none)


class JobOut(Out):
    """A job: state, phase, progress in its unit, and its result or error report."""

    id: Uuid
    kind: str
    title: str
    state: Literal[STATES]  # type: ignore[valid-type]
    phase: Literal[PHASES]  # type: ignore[valid-type]
    done: int
    total: int | None
    percent: int = Field(ge=0, le=100)
    errors_found: int
    per_second: float | None
    unit: str
    attempts: int
    created_at: Stamp | None
    started_at: Stamp | None
    finished_at: Stamp | None
    has_output: bool = Field(description="a file to download from /jobs/{id}/download")
    output_expired: bool = Field(description="its file was removed after the retention period")
    retryable: bool = Field(description="POST /jobs/{id}/retry would run it again")
    result: dict[str, Any] | None = Field(description="the summary of a succeeded job")
    error: dict[str, Any] | None = Field(
        description="a failed job's report: message, and for an import rows of {row, field, message}")


class JobPage(Out):
    """A page of jobs and the cursor of the next (null on the last page)."""

    items: list[JobOut]
    next_cursor: str | None
