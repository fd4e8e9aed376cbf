"""The account import as a job: the same all-or-nothing import, run by the worker from the kept upload."""
from __future__ import annotations

import os
import shutil
import uuid

from app.accounts.models import owner_key_for
from app.accounts.services import ImportRejected, import_accounts
from app.auth.context import Actor
from app.extensions import db
from app.jobs.kinds import JobKind, JobRejected, register_kind
from app.jobs.models import Job
from app.jobs.services import new_file_path, start_job
from app.tenants.models import Tenant

KIND = "accounts.import"
COPY_BUFFER = 4 * 1024 * 1024


def count_rows(path: str) -> int:
    """Data rows in the file, counted by line ends (a quoted line break may make it an estimate)."""
    lines, last = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(COPY_BUFFER):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last and last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _keep(upload, path) -> None:
    """Keep the upload at `path`: a hard link to the spooled file when there is one (no copy), else a copy."""
    spooled = getattr(upload.stream, "name", None)
    if isinstance(spooled, str):
        upload.stream.flush()
        try:
            os.link(spooled, path)
            return
        except OSError:  # another file system, or links not allowed: copy
            pass
    upload.stream.seek(0)
    with open(path, "wb") as out:
        shutil.copyfileobj(upload.stream, out, COPY_BUFFER)


def start_import(upload, actor: Actor) -> Job:
    """Keep the uploaded file under instance/jobs/ and queue its import (runs after this transaction commits)."""
    job_id = uuid.uuid4()
    path = new_file_path(job_id)
    _keep(upload, path)
    owner = None if actor.is_vendor else actor.partner_id
    name = (upload.filename or "")[:255]
    return start_job(KIND, actor, {"file_name": name, "owner_partner_id": str(owner) if owner else None},
                     title=f"Import of {name or 'a CSV file'}", owner_partner_id=owner, file_path=str(path),
                     job_id=job_id)


def _run(job: Job, progress) -> dict:
    tenant = db.session.get(Tenant, job.tenant_id)
    owner = job.owner_partner_id
    by = job.params.get("by") or [None, "system"]
    who = (uuid.UUID(by[0]) if by[0] else None, by[1])
    total = count_rows(job.file_path)
    progress("reading", 0, total, force=True)
    with open(job.file_path, "rb") as stream:
        try:
            result = import_accounts(stream, job.params.get("file_name") or "", owner, who, tenant,
                                     report=lambda phase, rows, errors: progress(phase, rows, total, errors))
        except ImportRejected as rejected:
            r = rejected.result
            raise JobRejected(f"{len(r.errors)} problem{'' if len(r.errors) == 1 else 's'} found; nothing was imported.",
                              {"rows": [e.as_dict() for e in r.errors], "encoding": r.encoding},
                              done=r.rows, total=r.rows) from None
    progress("writing", result.rows, result.rows, force=True)
    return {"rows": result.rows, "created": result.created, "updated": result.updated,
            "encoding": result.encoding, "import_id": str(result.history.id),
            "warnings": [w.as_dict() for w in result.warnings][:200]}


register_kind(JobKind(KIND, "Account import", _run, unit="rows",
                      serial=lambda job: f"accounts.import.{job.tenant_id}.{owner_key_for(job.owner_partner_id)}"))
