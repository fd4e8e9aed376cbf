"""Schemathesis hooks for the live run (SCHEMATHESIS_HOOKS=tests.contract.st_hooks).

Generated requests reuse a few Idempotency-Key values with other bodies, which the API rightly
refuses (422, DESIGN section 8). A valid key is replaced by a fresh one, so each generated request
is a new request; invalid keys (negative cases) are sent as generated.
"""
import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and len(key) <= 255 and VALID_KEY.match(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
