"""Domain normalisation, employee segments and the overlap oracle (DESIGN §3)."""
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.accounts.domains import normalise_domain, segment_for
from app.accounts.mapping import overlap_domains

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
CANONICAL = re.compile(rf"{LABEL}(?:\.{LABEL})+")


@pytest.mark.parametrize("raw, expected", [
    ("HTTPS://WWW.Example.COM:443/path?q=1", "example.com"),
    ("example.com", "example.com"),
    ("  Example.com  ", "example.com"),
    ("example.com.", "example.com"),
    ("example.com..", "example.com"),
    ("http://example.com/", "example.com"),
    ("ftp://files.example.co.uk/pub", "files.example.co.uk"),
    ("//example.com/x", "example.com"),
    ("example.com#top", "example.com"),
    ("example.com?x=1", "example.com"),
    ("example.com\\path", "example.com"),
    ("example.com:8080", "example.com"),
    ("example.com:", "example.com"),
    ("https://user:secret@example.com:8443/", "example.com"),
    ("bob@example.com", "example.com"),
    ("mailto:bob@example.com", "example.com"),
    ("bücher.de", "xn--bcher-kva.de"),
    ("BÜCHER.DE", "xn--bcher-kva.de"),
    ("https://www.bücher.de/katalog", "xn--bcher-kva.de"),
    ("bücher.de\u3002", "xn--bcher-kva.de"),  # ideographic full stop as the trailing dot
    ("\uff57\uff57\uff57.example.com", "example.com"),  # fullwidth "www"
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("sub.domain.example.com", "sub.domain.example.com"),
    ("a-b.example", "a-b.example"),
])
def test_normalise_examples(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("www.example.com", "example.com"),
    ("WWW.example.com", "example.com"),
    ("www.www.example.com", "example.com"),  # stripped repeatedly, so normalising is idempotent
    ("shop.www.example.com", "shop.www.example.com"),
    ("wwwexample.com", "wwwexample.com"),
    ("www2.example.com", "www2.example.com"),
    ("example.www", "example.www"),
    ("www.com", "www.com"),  # stripping would leave no domain
])
def test_www_is_only_stripped_as_the_first_label(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "   ", "localhost", "http://localhost:5000/", "www.", ".", "..", "com",
    "exa mple.com", "a_b.com", "-a.com", "a-.com", "a..com", ".example.com",
    "example.com:abc", "[::1]", "http://[::1]/", "192.168.0.1", "10.0.0.1:80",
    "a" * 64 + ".com", ".".join(["a" * 63] * 4) + ".com", "\u2603.com", "exa%20mple.com",
    "exa$mple.com", "@", "http://", "https://www./",
])
def test_not_a_domain(raw):
    assert normalise_domain(raw) is None


def test_non_string_is_none():
    assert normalise_domain(123) is None  # type: ignore[arg-type]


def test_length_limits():
    label63 = "a" * 63
    assert normalise_domain(label63 + ".com") == label63 + ".com"
    name = ".".join(["a" * 61] * 4)  # 247 characters
    assert normalise_domain(name) == name
    assert normalise_domain(name + ".abcdef") is None  # 254 characters


host_label = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9-]{0,10}[a-zA-Z0-9]|[a-zA-Z0-9]", fullmatch=True)
unicode_label = st.text(st.characters(min_codepoint=0x61, max_codepoint=0x2FFF), min_size=1,
                        max_size=12)
domainish = st.builds(
    lambda scheme, userinfo, www, labels, tld, dot, port, rest:
        f"{scheme}{userinfo}{www}{'.'.join(labels)}.{tld}{dot}{port}{rest}",
    st.sampled_from(["", "http://", "HTTPS://", "ftp://", "//", "git+ssh://"]),
    st.sampled_from(["", "user@", "user:pw@"]),
    st.sampled_from(["", "www.", "WWW.", "www.www."]),
    st.lists(st.one_of(host_label, unicode_label), min_size=1, max_size=3),
    st.sampled_from(["com", "de", "co.uk", "COM", "xn--p1ai", "рф", "www"]),
    st.sampled_from(["", ".", ".."]),
    st.sampled_from(["", ":443", ":", ":x"]),
    st.sampled_from(["", "/", "/path?q=1#frag", "?x", "#y"]),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(domainish, st.text(max_size=40)))
@example("www.www.com")
@example("ｗｗｗ.ｗｗｗ.example.com")
def test_normalise_is_idempotent_and_canonical(raw):
    once = normalise_domain(raw)
    assert normalise_domain(once) == once
    if once is not None:
        assert once.isascii() and once == once.lower()
        assert CANONICAL.fullmatch(once) and len(once) <= 253
        assert not (once.startswith("www.") and "." in once[4:])


@settings(max_examples=200, deadline=None)
@given(host_label, st.sampled_from(["com", "de", "io"]))
def test_case_scheme_and_www_do_not_change_the_key(label, tld):
    plain = normalise_domain(f"{label}.{tld}")
    assert plain == f"{label}.{tld}".lower() or label.lower() == "www"
    assert normalise_domain(f"https://WWW.{label.upper()}.{tld}:8443/x?y#z") == plain


@pytest.mark.parametrize("employees, segment", [
    (0, "smb"), (99, "smb"), (100, "mid_market"), (999, "mid_market"),
    (1000, "enterprise"), (250_000, "enterprise"), (None, None),
])
def test_segment_boundaries(employees, segment):
    assert segment_for(employees) == segment


def test_segment_thresholds_are_configurable():
    assert segment_for(49, (50, 500)) == "smb"
    assert segment_for(50, (50, 500)) == "mid_market"
    assert segment_for(499, (50, 500)) == "mid_market"
    assert segment_for(500, (50, 500)) == "enterprise"


def test_segment_rejects_bad_input():
    with pytest.raises(ValueError):
        segment_for(-1)
    with pytest.raises(ValueError):
        segment_for(10, (1000, 100))


@given(st.integers(min_value=0, max_value=10**7))
def test_segments_are_monotonic(n):
    order = ["smb", "mid_market", "enterprise"]
    assert order.index(segment_for(n)) <= order.index(segment_for(n + 1))


def test_overlap_examples():
    vendor = ["https://www.acme.com/", "globex.com", None, "", "not a domain", "bücher.de"]
    partner = ["ACME.com", None, "initech.com", "", "not a domain", "xn--bcher-kva.de."]
    assert overlap_domains(vendor, partner) == {"acme.com", "xn--bcher-kva.de"}
    assert overlap_domains([None], [None]) == set()
    assert overlap_domains([], ["acme.com"]) == set()


@given(st.lists(st.one_of(st.none(), domainish), max_size=15),
       st.lists(st.one_of(st.none(), domainish), max_size=15))
@settings(deadline=None)
def test_overlap_is_symmetric_and_pairwise(vendor, partner):
    got = overlap_domains(vendor, partner)
    assert got == overlap_domains(partner, vendor)
    pairs = {normalise_domain(v) for v in vendor for p in partner
             if normalise_domain(v) is not None and normalise_domain(v) == normalise_domain(p)}
    assert got == pairs
    assert None not in got
