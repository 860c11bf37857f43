"""Keyset pagination: a page of items and the cursor of the next one."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import attrs

from leadcore.domain import errors

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


@attrs.frozen
class Page(Generic[T]):
    """One page of a list; ``next_cursor`` is None on the last page."""

    items: Sequence[T]
    next_cursor: str | None

    def to_dict(self) -> dict[str, object]:
        """Return the page as JSON-ready data (items that have ``to_dict`` are mapped)."""
        return {
            "items": [getattr(item, "to_dict", lambda i=item: i)() for item in self.items],
            "next_cursor": self.next_cursor,
        }


def clamp_limit(limit: object, default: int) -> int:
    """Return a page size between 1 and MAX_PAGE_SIZE; a bad value raises INVALID_INPUT."""
    if limit is None:
        return default
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise errors.invalid_field("limit", "must be a positive integer")
    return min(limit, MAX_PAGE_SIZE)


def encode_cursor(*key: str | int) -> str:
    """Return an opaque cursor for a keyset position."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: object, shape: tuple[type, ...]) -> tuple[Any, ...] | None:
    """Return the keyset position in ``cursor`` (None for no cursor); INVALID_INPUT if bad."""
    if cursor is None:
        return None
    bad = errors.invalid_field("after", "is not a cursor this list gave out")
    if not isinstance(cursor, str) or len(cursor) > 400:
        raise bad
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad from exc
    if not isinstance(key, list) or len(key) != len(shape):
        raise bad
    if not all(type(value) is kind for value, kind in zip(key, shape, strict=True)):
        raise bad
    return tuple(key)
