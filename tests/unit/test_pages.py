"""Pages, page sizes and the cursor codec: garbage cursors are refused, never trusted."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given

from leadcore import ErrorCode, LeadCoreError, Page
from leadcore.domain.pages import MAX_PAGE_SIZE, clamp_limit, decode_cursor, encode_cursor
from leadcore.services.pagination import position_key, time_key
from tests import strategies


def raw_cursor(payload: bytes) -> str:
    """Return ``payload`` encoded the way cursors are, padding dropped."""
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def refused_field(call: object) -> str:
    """Return the one field INVALID_INPUT names for ``call()``."""
    assert callable(call)
    with pytest.raises(LeadCoreError) as caught:
        call()
    assert caught.value.code is ErrorCode.INVALID_INPUT
    (field,) = caught.value.context["fields"]
    return str(field)


@given(strategies.cursor_keys)
def test_a_cursor_decodes_to_the_key_it_encodes(key: list[str | int]) -> None:
    """decode_cursor(encode_cursor(*key)) gives the key back when the shape matches."""
    shape = tuple(type(value) for value in key)
    assert decode_cursor(encode_cursor(*key), shape) == tuple(key)


def test_no_cursor_means_the_first_page() -> None:
    """None decodes to None."""
    assert decode_cursor(None, (int,)) is None
    assert time_key(None) is None
    assert position_key(None) is None


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!!",
        "not a cursor",
        "é",
        "x" * 401,
        raw_cursor(b"not json"),
        raw_cursor(b"\xff\xfe"),
        raw_cursor(b'{"a": 1}'),
        raw_cursor(b"[1, 2]"),
        raw_cursor(b'["1"]'),
        raw_cursor(b"[true]"),
        raw_cursor(b"[1.5]"),
        raw_cursor(b"[null]"),
        raw_cursor(b"[" * 250),
    ],
)
def test_garbage_is_not_an_audit_cursor(cursor: str) -> None:
    """Anything but an encoded [int] is INVALID_INPUT naming after."""
    assert refused_field(lambda: position_key(cursor)) == "after"


@pytest.mark.parametrize("cursor", [42, b"abc", ["x"], 1.5])
def test_a_cursor_that_is_not_text_is_refused(cursor: object) -> None:
    """Only strings can be cursors."""
    assert refused_field(lambda: decode_cursor(cursor, (int,))) == "after"


@pytest.mark.parametrize("position", [-1, 2**63, 10**30])
def test_an_audit_position_no_database_could_hold_is_refused(position: int) -> None:
    """Positions are 0 .. 2**63 - 1 (a signed 64-bit key); others are INVALID_INPUT."""
    assert refused_field(lambda: position_key(encode_cursor(position))) == "after"


@pytest.mark.parametrize("position", [0, 1, 2**63 - 1])
def test_an_audit_position_in_range_is_kept(position: int) -> None:
    """Any position a database key can take decodes unchanged."""
    assert position_key(encode_cursor(position)) == position


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(5),
        encode_cursor("2026-03-14T09:30:00+00:00"),
        encode_cursor("yesterday", "LEAD-2026-0001"),
        encode_cursor("2026-03-14T09:30:00", "LEAD-2026-0001"),  # no time zone
        encode_cursor("2026-02-30T09:30:00+00:00", "LEAD-2026-0001"),
        encode_cursor(20260314, "LEAD-2026-0001"),
        encode_cursor("0001-01-01T00:00:00+14:00", "LEAD-2026-0001"),  # before year 1 in UTC
        encode_cursor("9999-12-31T23:59:59-14:00", "LEAD-2026-0001"),  # after 9999 in UTC
    ],
)
def test_garbage_is_not_a_list_cursor(cursor: str) -> None:
    """A list cursor is [aware ISO time, id]; anything else is INVALID_INPUT naming after."""
    assert refused_field(lambda: time_key(cursor)) == "after"


def test_a_list_cursor_decodes_to_an_aware_time_and_an_id() -> None:
    """time_key gives (created_at, id) back."""
    at = datetime(2026, 3, 14, 9, 30, 0, 123456, tzinfo=UTC)
    assert time_key(encode_cursor(at.isoformat(), "LEAD-2026-0001")) == (at, "LEAD-2026-0001")


@pytest.mark.parametrize("key", ["", "a\x00b", "x" * 65])
def test_a_forged_list_cursor_with_an_impossible_id_is_refused(key: str) -> None:
    """A cursor whose id part no row can have (empty, NUL, too long) is INVALID_INPUT."""
    cursor = encode_cursor("2026-03-14T09:30:00+00:00", key)
    assert refused_field(lambda: time_key(cursor)) == "after"


@pytest.mark.parametrize(("limit", "expected"), [(None, 50), (1, 1), (50, 50), (1000, 1000)])
def test_a_limit_up_to_the_maximum_is_kept(limit: int | None, expected: int) -> None:
    """None takes the default; 1..1000 is used as given."""
    assert clamp_limit(limit, 50) == expected


@pytest.mark.parametrize("limit", [1001, 5000, 10**12])
def test_a_limit_above_the_maximum_is_clamped(limit: int) -> None:
    """Anything above 1000 becomes 1000."""
    assert clamp_limit(limit, 50) == MAX_PAGE_SIZE == 1000


@pytest.mark.parametrize("limit", [0, -5, True, 2.5, "10"])
def test_a_limit_that_is_not_a_positive_integer_is_refused(limit: object) -> None:
    """Zero, negatives, booleans, floats and text are INVALID_INPUT naming limit."""
    assert refused_field(lambda: clamp_limit(limit, 50)) == "limit"


def test_a_page_maps_its_items_to_dicts() -> None:
    """Page.to_dict maps items with to_dict and keeps plain values."""

    class Item:
        def to_dict(self) -> dict[str, int]:
            return {"n": 1}

    page: Page[object] = Page([Item(), 7], "next")
    assert page.to_dict() == {"items": [{"n": 1}, 7], "next_cursor": "next"}
    assert json.loads(json.dumps(page.to_dict())) == page.to_dict()
