"""Client secrets sealed at rest: Fernet with a key derived from SECRET_KEY through HKDF-SHA256."""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "fernet1:"
# Salt and info bind the derived key to this one use, so SECRET_KEY's other uses never share it.
_SALT = b"tandem/sso/client-secret"
_INFO = b"sso_connections.client_secret v1"


class SealError(Exception):
    """The sealed value cannot be opened with this SECRET_KEY (changed key, or tampered value)."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str, secret_key: str) -> str:
    return PREFIX + _fernet(secret_key).encrypt(plain.encode()).decode()


def unseal(sealed: str, secret_key: str) -> str:
    if not sealed.startswith(PREFIX):
        raise SealError("not a sealed value")
    try:
        return _fernet(secret_key).decrypt(sealed[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise SealError("the client secret cannot be opened with this SECRET_KEY") from exc
