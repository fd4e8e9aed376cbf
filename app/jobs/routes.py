"""Job pages: the list, one job with its live progress, its JSON status, cancel and retry."""
from __future__ import annotations

import uuid

from pathlib import Path

from flask import abort, flash, jsonify, redirect, render_template, send_file, url_for
from sqlalchemy import select

from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import ConflictError
from app.core.forms import CsrfForm, require_csrf
from app.extensions import db
from app.jobs import bp
from app.jobs.models import Job
from app.jobs.policies import can_control, get_job_or_404, scope_jobs, sees_report
from app.jobs.services import cancel_job, jobs_dir, live_view, retry_job


def view_for(actor, job: Job) -> dict:
    view = live_view(job)
    if not sees_report(actor, job) and view["error"]:
        view["error"] = {"message": view["error"].get("message"), "rows": []}
    # A rejected import's file is gone (it could only fail the same way): nothing to run again.
    view["retryable"] = job.state in ("failed", "cancelled") and (
        job.kind != "accounts.import" or bool(job.file_path and Path(job.file_path).exists()))
    view["has_output"] = bool(job.state == "succeeded" and (job.params or {}).get("output") and sees_report(actor, job))
    view["output_expired"] = bool((job.params or {}).get("output_expired_at"))
    return view


@bp.get("/")
def index():
    """The jobs the actor may see, newest first."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    jobs = db.session.scalars(scope_jobs(actor, select(Job)).order_by(Job.created_at.desc(), Job.id).limit(100)).all()
    return render_template("jobs/index.html", jobs=[view_for(actor, j) for j in jobs])


@bp.get("/<uuid:job_id>")
def detail(job_id: uuid.UUID):
    """One job: a live progress bar while it runs, then its summary or its full error report."""
    actor = current_actor()
    job = get_job_or_404(actor, job_id)
    return render_template("jobs/detail.html", job=view_for(actor, job), form=CsrfForm(),
                           can_control=can_control(actor, job))


@bp.get("/<uuid:job_id>/status")
def status(job_id: uuid.UUID):
    """The job's progress as JSON, for the page's progress bar (polled every second)."""
    actor = current_actor()
    job = get_job_or_404(actor, job_id)
    return jsonify(view_for(actor, job))


def output_response(actor, job: Job):
    """A succeeded job's output file (a review pack), for its own side only (it holds that side's view)."""
    require(sees_report(actor, job))
    output = (job.params or {}).get("output")
    if job.state != "succeeded" or not output:
        abort(404)
    path = jobs_dir() / Path(output).name
    if not path.exists():
        abort(404)
    return send_file(path, as_attachment=True, download_name=job.params.get("output_name") or path.name)


@bp.get("/<uuid:job_id>/download")
def download(job_id: uuid.UUID):
    """What the job made (a review pack PDF), once it has succeeded."""
    actor = current_actor()
    return output_response(actor, get_job_or_404(actor, job_id))


def _control(job_id: uuid.UUID, action):
    actor = current_actor()
    job = get_job_or_404(actor, job_id)
    require(can_control(actor, job))
    require_csrf()
    try:
        message = action(job, actor)
    except ConflictError as exc:
        flash(exc.description, "error")
        return render_template("jobs/detail.html", job=view_for(actor, job), form=CsrfForm(),
                               can_control=True), 409
    flash(message, "success")
    return redirect(url_for("jobs.detail", job_id=job.id), 303)


@bp.post("/<uuid:job_id>/cancel")
def cancel(job_id: uuid.UUID):
    """Cancel a queued job, or ask a running one to stop; nothing it did stays written."""
    def act(job, actor):
        outcome = cancel_job(job, actor)
        return "Cancelled." if outcome == "cancelled" else "Stopping: the job rolls back what it did."
    return _control(job_id, act)


@bp.post("/<uuid:job_id>/retry")
def retry(job_id: uuid.UUID):
    """Run a failed or cancelled job again from the start."""
    def act(job, actor):
        retry_job(job, actor)
        return "Queued again."
    return _control(job_id, act)
