"""Idempotency-Key on every API POST (DESIGN section 8).

The first request with a key inserts its row before the view runs, in the request's one
transaction, and stores its answer there just before the commit. A concurrent twin with the same
key blocks on the unique index until the first commits, then fails the insert and replays the
stored answer; if the first failed (status >= 400, rolled back) nothing was stored and the twin
does the work. So only successful answers are replayed: a failed request wrote nothing and may be
repeated. The same key with another body (or another operation) answers 422. Keys live
IDEMPOTENCY_TTL (24 h) per token.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Response, current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.api.models import IdempotencyKey
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.extensions import db

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Content-Type", "Location")
FIELD = "Idempotency-Key"


def _fingerprint(view) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n".encode())
    if getattr(view, "takes_upload", False):
        # Multipart boundaries differ between two sends of the same file: hash the parts instead.
        for name in sorted(request.form):
            digest.update(f"form {name}={request.form.getlist(name)!r}\n".encode())
        for name in sorted(request.files):
            for upload in request.files.getlist(name):
                digest.update(f"file {name} {upload.filename}\n".encode())
                stream = upload.stream
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
                stream.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _key() -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise InvalidInput({FIELD: "Use 1 to 255 printable ASCII characters (a UUID is a good key)."})
    return key


def _replay(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        raise InvalidInput({FIELD: "This key was used for another request; send a new key for a new request."})
    response = Response(row.body, status=row.status)
    for name, value in (row.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    g.idempotent_replay = True
    return response


def _stored(token_id, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.token_id == token_id, IdempotencyKey.key == key,
        IdempotencyKey.expires_at > utcnow()).execution_options(populate_existing=True))


def begin(token_id, view) -> Response | None:
    """Before a POST view: a replayed answer, a 422, or None after claiming the key."""
    if request.method != "POST":
        return None
    key = _key()
    if key is None:
        return None
    fingerprint = _fingerprint(view)
    now = utcnow()
    # Expired keys of this token go first, so a key may be reused after its time.
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.token_id == token_id,
                                                    IdempotencyKey.expires_at <= now))
    row = _stored(token_id, key)
    if row is not None:
        return _replay(row, fingerprint)
    row = IdempotencyKey(token_id=token_id, key=key, fingerprint=fingerprint, status=0, body=b"", headers={},
                         expires_at=now + current_app.config.get("IDEMPOTENCY_TTL", timedelta(hours=24)))
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # A twin with this key committed while we waited on the index: answer what it answered.
        db.session.rollback()
        row = _stored(token_id, key)
        if row is None:  # it expired in between; extremely unlikely, refuse rather than run twice
            raise InvalidInput({FIELD: "This key is in use; retry in a moment."})
        return _replay(row, fingerprint)
    g.idempotency_row = row
    return None


def finish(response: Response) -> Response:
    """After a POST view, before the one commit: store a successful answer for replay."""
    row = g.pop("idempotency_row", None)
    if row is None or response.status_code >= 400:
        return response  # a failure rolls back, the key row with it
    if response.is_streamed:
        db.session.delete(row)  # a stream cannot be stored; the key is released
        return response
    row.status = response.status_code
    row.body = response.get_data()
    row.headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    db.session.flush()
    return response
