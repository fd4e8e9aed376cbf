"""Browse, search and export the audit log (vendor staff)."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import Response, render_template, request, stream_with_context
from sqlalchemy import func, or_, select

from app.core.csvout import csv_stream
from app.audit import bp
from app.audit.models import AuditEvent
from app.auth.context import current_actor
from app.auth.policies import can_view_audit, require
from app.extensions import db
from app.tenancy import keep_scope

PAGE = 50


def _filtered():
    stmt = select(AuditEvent)
    actor_q = request.args.get("actor", "").strip().lower()
    object_q = request.args.get("object", "").strip().lower()
    action_q = request.args.get("action", "").strip().lower()
    if actor_q:
        stmt = stmt.where(func.lower(AuditEvent.actor).like(f"%{actor_q}%"))
    if object_q:
        stmt = stmt.where(or_(func.lower(AuditEvent.object_type).like(f"%{object_q}%"),
                              func.lower(AuditEvent.object_id).like(f"%{object_q}%"),
                              func.lower(AuditEvent.summary).like(f"%{object_q}%")))
    if action_q:
        stmt = stmt.where(func.lower(AuditEvent.action).like(f"%{action_q}%"))
    for arg, op in (("from", "ge"), ("to", "le")):
        raw = request.args.get(arg, "")
        if raw:
            try:
                day = datetime.strptime(raw, "%Y-%m-%d").date()
            except ValueError:
                continue
            bound = datetime.combine(day, time.min if op == "ge" else time.max, tzinfo=timezone.utc)
            stmt = stmt.where(AuditEvent.created_at >= bound if op == "ge" else AuditEvent.created_at <= bound)
    return stmt


@bp.get("/")
def index():
    require(can_view_audit(current_actor()))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = _filtered()
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    events = db.session.scalars(stmt.order_by(AuditEvent.seq.desc()).offset((page - 1) * PAGE).limit(PAGE)).all()
    return render_template("audit/index.html", events=events, page=page, pages=max(1, -(-total // PAGE)),
                           total=total, args=request.args)


@bp.get("/export.csv")
def export():
    require(can_view_audit(current_actor()))
    columns = ["seq", "created_at", "actor", "action", "object_type", "object_id", "summary",
               "before", "after", "prev_hash", "hash"]
    stmt = _filtered()

    def rows():
        # Batches by sequence number: each is its own query, so the stream outlives the request's commit.
        last = 0
        while True:
            batch = db.session.scalars(stmt.where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(500)).all()
            if not batch:
                return
            for event in batch:
                yield {c: getattr(event, c) for c in columns}
            last = batch[-1].seq
    return Response(stream_with_context(keep_scope(csv_stream(rows(), columns))), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
