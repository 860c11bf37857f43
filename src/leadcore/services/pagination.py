"""Turning opaque cursors into keyset positions."""

from __future__ import annotations

from datetime import datetime

from leadcore.domain import errors
from leadcore.domain.pages import decode_cursor


def time_key(cursor: object) -> tuple[datetime, str] | None:
    """Return the (created_at, id) position in a list cursor, or None for the first page."""
    key = decode_cursor(cursor, (str, str))
    if key is None:
        return None
    try:
        at = datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise errors.invalid_field("after", "is not a cursor this list gave out") from exc
    if at.tzinfo is None:
        raise errors.invalid_field("after", "is not a cursor this list gave out")
    return at, key[1]


def position_key(cursor: object) -> int | None:
    """Return the position in an audit cursor, or None for the first page."""
    key = decode_cursor(cursor, (int,))
    return None if key is None else int(key[0])
