"""Matrix entries for jobs: a partner's job is its partner's staff's; the vendor admin sees it too.

Jobs of the matrix world are partner jobs started by a spare partner user: the vendor admin may
read them but not control them, other vendor staff see only jobs they started (404), the own
partner's admin may read and control them, the own partner's user may read them only.
"""
from tests.isolation.framework import EVERYONE, Route

J = {"job_id": "job"}


def _read(role, relation, method):
    if relation in ("other_tenant", "missing"):
        return 404
    if role == "vendor_admin":
        return "ok"
    if role in ("partner_admin", "partner_user") and relation == "own":
        return "ok"
    return 404


def _control(role, relation, method):
    seen = _read(role, relation, method)
    if seen != "ok":
        return seen
    return "ok" if role == "partner_admin" else 403


ROUTES = {
    "jobs.index": Route(allow=EVERYONE),
    "jobs.detail": Route(params=J, expect=_read),
    "jobs.status": Route(params=J, expect=_read),
    "jobs.cancel": Route(params=J, expect=_control),
    "jobs.retry": Route(params=J, expect=_control),
    "api.list_jobs": Route(allow=EVERYONE),
    "api.get_job": Route(params=J, expect=_read),
    "api.cancel_job_api": Route(params=J, expect=_control),
    "api.retry_job_api": Route(params=J, expect=_control),
    # Matrix jobs are queued (no output yet): whoever may see one gets 404 "no file", except the
    # vendor admin, who sees a partner's job but not its output (403).
    "jobs.download": Route(params=J, expect=lambda role, relation, method: 403 if (
        role == "vendor_admin" and relation in ("own", "other_partner")) else 404),
    "api.download_job_output": Route(params=J, expect=lambda role, relation, method: 403 if (
        role == "vendor_admin" and relation in ("own", "other_partner")) else 404),
}
