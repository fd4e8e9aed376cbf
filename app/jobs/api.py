"""Jobs in the JSON API: list, one job with its progress, cancel, retry."""
from __future__ import annotations

import uuid

from flask import jsonify
from sqlalchemy import select

from app.api import bp
from app.api.helpers import actor, keyset_page
from app.api.openapi import documented
from app.auth.policies import require
from app.jobs.models import Job
from app.jobs.policies import can_control, get_job_or_404, scope_jobs
from app.jobs.routes import output_response, view_for
from app.jobs.schemas import JobOut, JobPage
from app.jobs.services import cancel_job, retry_job

def _job(current, job: Job) -> dict:
    """The job as the API answers it: through its model, so the two cannot drift."""
    return JobOut.model_validate(view_for(current, job)).model_dump(mode="json")


@bp.get("/jobs")
@documented(response=JobPage)
def list_jobs():
    """The jobs the caller may see (vendor admins: all; partner staff: their partner's; others: their own)."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    rows, cursor = keyset_page(scope_jobs(current, select(Job)), [Job.id], lambda j: [str(j.id)],
                               convert=lambda v: [uuid.UUID(v[0])])
    return jsonify({"items": [_job(current, j) for j in rows], "next_cursor": cursor})


@bp.get("/jobs/<uuid:job_id>")
@documented(response=JobOut)
def get_job(job_id: uuid.UUID):
    """One job: state, phase, done/total in its unit, rows per second, and its result or error report."""
    current = actor()
    return jsonify(_job(current, get_job_or_404(current, job_id)))


@bp.get("/jobs/<uuid:job_id>/download")
@documented(response={"type": "string", "format": "binary",
                      "description": "what a succeeded job made (a review pack, the only output); 404 before"},
            media_type="application/pdf")
def download_job_output(job_id: uuid.UUID):
    """The job's output file, for its own side only."""
    current = actor()
    return output_response(current, get_job_or_404(current, job_id))


@bp.post("/jobs/<uuid:job_id>/cancel")
@documented(response=JobOut, status=202)
def cancel_job_api(job_id: uuid.UUID):
    """Cancel a queued job, or ask a running one to stop (it rolls back; poll the job); 409 once ended."""
    current = actor()
    job = get_job_or_404(current, job_id)
    require(can_control(current, job))
    cancel_job(job, current)
    return jsonify(_job(current, job)), 202


@bp.post("/jobs/<uuid:job_id>/retry")
@documented(response=JobOut, status=202)
def retry_job_api(job_id: uuid.UUID):
    """Run a failed or cancelled job again from the start (409 if it has not ended or its file is gone)."""
    current = actor()
    job = get_job_or_404(current, job_id)
    require(can_control(current, job))
    retry_job(job, current)
    return jsonify(_job(current, job)), 202, {"Location": f"/api/v1/jobs/{job.id}"}
