"""Password hashing with argon2id (at least OWASP's m=19 MiB, t=2, p=1)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_DEFAULTS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 1}


def _hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMS", _DEFAULTS)
    return PasswordHasher(**params)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher().hash(password)


# A real hash to verify against when the e-mail is unknown, so timing does not reveal it.
_DUMMY: dict[str, str] = {}


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same work when there is no hash."""
    hasher = _hasher()
    if not stored_hash:
        key = repr(hasher.time_cost) + repr(hasher.memory_cost)
        _DUMMY.setdefault(key, hasher.hash("not-a-real-password"))
        try:
            hasher.verify(_DUMMY[key], password)
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)


MIN_PASSWORD_LENGTH = 10
