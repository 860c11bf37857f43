"""The data of one memory:// database and the undo log that makes rollback exact."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from leadcore.domain.assessments import Assessment
from leadcore.domain.audit import AuditEntry
from leadcore.domain.documents import Document
from leadcore.domain.leads import Lead
from leadcore.domain.questionnaires import Questionnaire
from leadcore.domain.users import User

_MISSING = object()
K = TypeVar("K")
V = TypeVar("V")


class MemoryStore:
    """Tables as dicts, guarded by one re-entrant lock that a unit of work holds throughout.

    Holding the lock for the whole unit makes every unit serializable, which is what the
    databases promise for the rows a command touches; rows are frozen attrs instances,
    so a reader never sees half a change.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.user_ids_by_email: dict[str, str] = {}
        self.leads: dict[str, Lead] = {}
        self.lead_ids_by_cin: dict[str, str] = {}
        self.audit: list[AuditEntry] = []
        self.audit_positions_by_lead: dict[str, list[int]] = {}
        # The chain: each entry's hash by position, and each stream's last hash.
        self.audit_hashes: list[str] = []
        self.audit_heads: dict[str, str] = {}
        self.counters: dict[str, int] = {}
        self.questionnaires: dict[int, Questionnaire] = {}
        self.assessments: dict[str, Assessment] = {}
        # lead id -> its assessment ids by revision (tuples, so the undo log restores them).
        self.assessment_ids_by_lead: dict[str, tuple[str, ...]] = {}
        self.documents: dict[str, Document] = {}
        self.document_ids_by_lead: dict[str, tuple[str, ...]] = {}


class UndoLog:
    """Remembers how to take back each write of a unit of work."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []

    def put(self, table: dict[K, V], key: K, value: V) -> None:
        """Set ``table[key] = value``, remembering the previous state."""
        previous: object = table.get(key, _MISSING)
        self._steps.append(lambda: _restore(table, key, previous))
        table[key] = value

    def delete(self, table: dict[K, V], key: K) -> None:
        """Remove ``table[key]``, remembering the previous state."""
        previous: object = table.pop(key, _MISSING)
        self._steps.append(lambda: _restore(table, key, previous))

    def append(self, items: list[V], item: V) -> None:
        """Append ``item`` to ``items``, remembering to remove it."""
        items.append(item)
        self._steps.append(lambda: _drop_last(items))

    def undo(self) -> None:
        """Take back every remembered write, newest first."""
        while self._steps:
            self._steps.pop()()

    def forget(self) -> None:
        """Keep the writes: there is nothing left to take back."""
        self._steps.clear()


def _restore(table: dict[K, V], key: K, previous: object) -> None:
    if previous is _MISSING:
        table.pop(key, None)
    else:
        table[key] = previous  # type: ignore[assignment]  # it came out of this table


def _drop_last(items: list[V]) -> None:
    items.pop()
