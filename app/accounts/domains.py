"""Pure domain normalisation and employee segments (DESIGN §3). No Flask, no database.

normalise_domain(raw) turns whatever a user typed or a CRM exported ("HTTPS://WWW.Acme.com:443/x",
"bob@acme.com", "bücher.de.") into the canonical key used for account matching, or None:
- trim, lower-case; strip any `scheme://` (and a bare leading `//`), then cut at the first
  `/`, `?`, `#` or `\\`; drop `userinfo@`; drop `:port` (the port must be digits);
- strip trailing dots; IDN to punycode with the `idna` package (IDNA 2008 + UTS 46,
  non-transitional, as browsers do); a name it rejects is None;
- strip leading `www.` labels while what remains still has a dot (so `www.com` stays,
  `www.www.acme.com` -> `acme.com`; stripping repeatedly keeps the function idempotent);
- the result must be at most 253 characters, at least two labels, each label 1-63 characters of
  [a-z0-9-] not starting or ending with `-`, and a non-numeric last label (no IP addresses);
  anything else is None.
The result is lower-case ASCII or None, and normalise_domain(normalise_domain(x)) equals
normalise_domain(x).

segment_for(employees) maps a head count to `smb`, `mid_market` or `enterprise`; None (unknown)
gives None.
"""
from __future__ import annotations

import re

import idna

MAX_HOST_LENGTH = 253
DEFAULT_SEGMENT_THRESHOLDS = (100, 1000)
SEGMENTS = ("smb", "mid_market", "enterprise")

# One pass over "scheme://userinfo@host:port/rest"; the host is group 1, the port group 2.
_URL_RE = re.compile(r"(?:[a-z][a-z0-9+.\-]*://|//)?"  # scheme
                     r"(?:[^/?#\\]*@)?"  # userinfo, up to the last "@"
                     r"([^/?#\\:@]*)(?::([0-9]*))?"  # host and port
                     r"(?:[/?#\\]|\Z)")  # then a path, query or fragment, or the end


def _is_host(s: str) -> bool:
    """True if lower-case s is a valid host name that is not an IP address."""
    # Two or more labels of 1-63 [a-z0-9-] not starting or ending with "-", at most 253 in all,
    # the last one not numeric. String methods, not a regex: much cheaper per row in big imports.
    if not (3 <= len(s) <= MAX_HOST_LENGTH and s.isascii()) or "." not in s:
        return False
    if ".." in s or "-." in s or ".-" in s or s[0] in ".-" or s[-1] in ".-":
        return False
    if not s.replace("-", "").replace(".", "").isalnum():  # on ASCII: letters and digits only
        return False
    if len(s) > 63 and max(map(len, s.split("."))) > 63:
        return False
    return not (s[-1].isdigit() and s[s.rfind(".") + 1:].isdigit())  # slice only when needed


def normalise_domain(raw: str | None) -> str | None:
    """Return the canonical lower-case ASCII domain for raw, or None if it is not a domain."""
    if not isinstance(raw, str):
        return None
    if raw.islower() and not raw.startswith("www.") and _is_host(raw):
        return raw  # already canonical: the common case, kept fast
    m = _URL_RE.match(raw.strip().lower())
    if not m:
        return None  # e.g. a non-numeric port
    s = m.group(1).rstrip(".")
    if not s.isascii():
        try:
            s = idna.encode(s, uts46=True).decode("ascii")
        except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
            return None
        s = s.rstrip(".")  # UTS 46 maps e.g. an ideographic full stop to "."
    while s.startswith("www.") and "." in s[4:]:
        s = s[4:]
    return s if _is_host(s) else None


def segment_for(employees: int | None,
                thresholds: tuple[int, int] = DEFAULT_SEGMENT_THRESHOLDS) -> str | None:
    """Return the segment for a head count: smb < low <= mid_market < high <= enterprise."""
    low, high = thresholds
    if not 0 <= low <= high:
        raise ValueError("segment thresholds must satisfy 0 <= low <= high")
    if employees is None:
        return None
    if employees < 0:
        raise ValueError("employees must not be negative")
    if employees < low:
        return "smb"
    if employees < high:
        return "mid_market"
    return "enterprise"
