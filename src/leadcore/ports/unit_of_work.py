"""The unit of work: one command, one transaction."""

from __future__ import annotations

import enum
from types import TracebackType
from typing import Protocol, Self

from leadcore.domain.errors import LeadCoreError
from leadcore.ports.assessments import AssessmentRepository, QuestionnaireRepository
from leadcore.ports.documents import DocumentRepository
from leadcore.ports.repositories import (
    AuditRepository,
    LeadRepository,
    SequencePort,
    UserRepository,
)


class Intent(enum.Enum):
    """What a command will do inside its unit of work, so adapters can pick the cheapest mode.

    READ: no writes; an adapter may run each statement on its own. SNAPSHOT: no writes,
    and every read sees the store as the first one did (a long read in pieces, such as
    re-hashing the whole audit trail, must not see a write land between two pieces).
    WRITE_ONCE: at most one write call, itself atomic (a compound repository method such
    as ``leads.create``), made last; an adapter may run each statement on its own. WRITE:
    anything else; one transaction from the first statement.
    """

    READ = "read"
    SNAPSHOT = "snapshot"
    WRITE_ONCE = "write once"
    WRITE = "write"


class UnitOfWork(Protocol):
    """One transaction: ``with uow:`` opens it, ``commit()`` keeps it, leaving rolls back."""

    users: UserRepository
    leads: LeadRepository
    audit: AuditRepository
    sequences: SequencePort
    assessments: AssessmentRepository
    questionnaires: QuestionnaireRepository
    documents: DocumentRepository

    def __enter__(self) -> Self:
        """Open the unit of work."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the unit of work, rolling back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make every write of this unit durable, all together."""
        ...

    def rollback(self) -> None:
        """Discard every write of this unit not yet committed."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work for one command."""

    def __call__(self, intent: Intent = Intent.WRITE) -> UnitOfWork:
        """Return a new, not yet opened unit of work for a command of this ``intent``."""
        ...

    def may_rerun(self, failure: LeadCoreError, reruns: int) -> bool:
        """Say whether work that ``failure`` ended may run again from its start.

        True only when the store rolled the whole transaction back to resolve a conflict
        with a concurrent one (a serialization failure, a deadlock), and ``reruns`` (the
        re-runs so far) is within the store's bound; the store pauses before saying so.
        """
        ...
