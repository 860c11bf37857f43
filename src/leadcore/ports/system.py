"""Time and identity, as ports so that tests and replays can control them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> datetime:
        """Return the current time, time-zone aware, in UTC."""
        ...


class IdGenerator(Protocol):
    """Makes ids for users, audit entries and other things that are not leads."""

    def new_id(self) -> str:
        """Return a new id, unique across processes."""
        ...
