"""The kinds of job, registered by the packages that own the work (accounts, tiers, reviews, mail)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


class JobCancelled(Exception):
    """Raised inside a job when someone asked to cancel it: everything it wrote is rolled back."""


class JobRejected(Exception):
    """The job's input was refused (an import with bad rows): nothing written, the report is kept."""

    def __init__(self, message: str, report: dict, done: int = 0, total: int | None = None):
        super().__init__(message)
        self.message, self.report, self.done, self.total = message, report, done, total


@dataclass(frozen=True)
class JobKind:
    """run(job, progress) does the work in the job's transaction and returns the result summary.

    progress(phase, done, total=None, errors=0) reports how far it got (and raises JobCancelled
    when a cancel was asked). serial(job) names what the job must not interleave with: jobs with
    the same key run one after the other. keeps_file: the job's uploaded file stays until it ends.
    """
    kind: str
    label: str
    run: Callable
    serial: Callable | None = None
    unit: str = "items"


KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    KINDS[kind.kind] = kind
