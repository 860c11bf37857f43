"""Turning opaque cursors into keyset positions."""

from __future__ import annotations

from datetime import UTC, datetime

from leadcore.domain import errors
from leadcore.domain.pages import decode_cursor
from leadcore.domain.validation import plausible_id


def time_key(cursor: object) -> tuple[datetime, str] | None:
    """Return the (created_at, id) position in a list cursor, or None for the first page."""
    key = decode_cursor(cursor, (str, str))
    if key is None:
        return None
    try:
        at = datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise errors.invalid_field("after", "is not a cursor this list gave out") from exc
    # A forged id part (NUL, empty, 100 KB) is refused here, before any store sees it.
    if at.tzinfo is None or plausible_id(key[1]) is None or not fits_in_utc(at):
        raise errors.invalid_field("after", "is not a cursor this list gave out")
    return at, key[1]


def position_key(cursor: object) -> int | None:
    """Return the position in an audit cursor, or None for the first page."""
    key = decode_cursor(cursor, (int,))
    if key is None:
        return None
    # Stores key the trail with a signed 64-bit integer: anything else was never given out.
    if not 0 <= key[0] <= MAX_POSITION:
        raise errors.invalid_field("after", "is not a cursor this list gave out")
    return int(key[0])


MAX_POSITION = 2**63 - 1


def fits_in_utc(at: datetime) -> bool:
    """Say whether ``at`` can be converted to UTC (0001-01-01T00:00+14:00 cannot)."""
    try:
        at.astimezone(UTC)
    except OverflowError:
        return False
    return True
