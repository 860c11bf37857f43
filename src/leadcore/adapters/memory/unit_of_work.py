"""The memory unit of work: holds the store's lock, undoes everything not committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from leadcore.adapters.memory.assessments import MemoryAssessments, MemoryQuestionnaires
from leadcore.adapters.memory.documents import MemoryDocuments
from leadcore.adapters.memory.repositories import (
    MemoryAudit,
    MemoryLeads,
    MemorySequences,
    MemoryUsers,
)
from leadcore.adapters.memory.store import MemoryStore, UndoLog
from leadcore.domain.errors import LeadCoreError
from leadcore.ports.unit_of_work import Intent


class MemoryUnitOfWork:
    """One serializable transaction on a MemoryStore."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._undo = UndoLog()
        self.users = MemoryUsers(store, self._undo)
        self.audit = MemoryAudit(store, self._undo)
        self.sequences = MemorySequences(store, self._undo)
        self.leads = MemoryLeads(store, self._undo, self.audit, self.sequences)
        self.assessments = MemoryAssessments(store, self._undo, self.audit)
        self.questionnaires = MemoryQuestionnaires(store, self._undo, self.audit)
        self.documents = MemoryDocuments(store, self._undo, self.audit)

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._undo.undo()
        finally:
            self._store.lock.release()

    def commit(self) -> None:
        """Keep every write made so far."""
        self._undo.forget()

    def rollback(self) -> None:
        """Take back every write not yet committed."""
        self._undo.undo()


class MemoryUnitOfWorkFactory:
    """Makes units of work on one MemoryStore; the intent changes nothing here."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def __call__(self, intent: Intent = Intent.WRITE) -> MemoryUnitOfWork:
        """Return a new unit of work on the store."""
        return MemoryUnitOfWork(self.store)

    def may_rerun(self, failure: LeadCoreError, reruns: int) -> bool:
        """Say no: units run one at a time under the store's lock, so none ever conflicts."""
        return False
