"""Rate limiting on the ``limits`` library: fixed windows counted in its storage.

The storage (in-memory by default, ``redis://…`` to share limits between processes) does
the atomic counting; the window an instant falls in comes from leadcore's Clock port, so
tests can move time by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

import limits
import limits.aio.storage
import limits.errors
import limits.storage

from leadcore.domain import errors
from leadcore.domain.errors import ErrorCode, LeadCoreError
from leadcore.ports.rate_limits import ActionClass
from leadcore.ports.system import Clock


class LimitsRateLimiter:
    """Per actor and action class, at most ``amount`` commands per window (``"100/second"``)."""

    def __init__(
        self, rules: Mapping[ActionClass, str | None], clock: Clock, storage_uri: str = "memory://"
    ) -> None:
        self._clock = clock
        self._storage = _storage(storage_uri)
        self._items = {action: _rule(action, rule) for action, rule in rules.items() if rule}

    def acquire(self, actor_id: str, action: ActionClass) -> None:
        """Count one command; raise RATE_LIMITED (with retry_after_seconds) if over the limit."""
        item = self._items.get(action)
        if item is None:
            return
        window = item.get_expiry()
        now = self._clock.now().timestamp()
        index = int(now // window)
        key = f"leadcore/{action.value}/{item.amount}/{window}/{index}/{actor_id}"
        count = self._storage.incr(key, window)
        if not isinstance(count, int):  # pragma: no cover  # only the async storages differ
            raise TypeError(f"{self._storage!r} is not a synchronous limits storage")
        if count > item.amount:
            retry_after = round((index + 1) * window - now, 3)
            raise LeadCoreError(
                ErrorCode.RATE_LIMITED,
                f"more than {item.amount} {action.value} commands in {window} s",
                {"retry_after_seconds": retry_after, "action_class": action.value},
            )


class NoRateLimits:
    """A limiter that never refuses."""

    def acquire(self, actor_id: str, action: ActionClass) -> None:
        """Allow every command."""


# The library's refusals of a setting, turned into the INVALID_INPUT that connect promises.
def _storage(uri: str) -> limits.storage.Storage | limits.aio.storage.Storage:
    try:
        return limits.storage.storage_from_string(uri)
    except (limits.errors.ConfigurationError, ValueError, TypeError) as exc:
        raise errors.invalid_field("rate_limit_storage_uri", f"is not usable: {exc}") from exc


def _rule(action: ActionClass, rule: str) -> limits.RateLimitItem:
    try:
        return limits.parse(rule)
    except (ValueError, TypeError) as exc:
        raise errors.invalid_field(
            f"rate_limit_{action.value}", 'must be a rate such as "100/second"'
        ) from exc
