"""The import's batch id maker gives real random version-4 UUIDs."""
from __future__ import annotations

import uuid

from app.accounts.services import uuid4_hexes


def test_every_id_is_a_random_version_4_uuid():
    ids = uuid4_hexes(5000)
    assert len(ids) == len(set(ids)) == 5000
    for text in ids:
        parsed = uuid.UUID(hex=text)
        assert parsed.hex == text and len(text) == 32
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # The other 122 bits vary: every hex digit outside the fixed nibbles takes all 16 values.
    for position in (0, 11, 13, 17, 31):
        assert {text[position] for text in ids} == set("0123456789abcdef")
    assert {text[12] for text in ids} == {"4"} and {text[16] for text in ids} == set("89ab")


def test_no_ids_for_an_empty_batch():
    assert uuid4_hexes(0) == []
