"""Rate limiting: how many commands of a class one actor may run in a window."""

from __future__ import annotations

import enum
from typing import Protocol


class ActionClass(enum.StrEnum):
    """Commands grouped by what they cost the store."""

    READ = "read"
    WRITE = "write"
    IMPORT = "import"


class RateLimiter(Protocol):
    """Counts each actor's commands per action class and refuses those over the limit."""

    def acquire(self, actor_id: str, action: ActionClass) -> None:
        """Count one command; raise RATE_LIMITED (with retry_after_seconds) if over the limit."""
        ...
