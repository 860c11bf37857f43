"""Test doubles passed through the container's override(): a store that fails at commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from dependency_injector import providers

from leadcore import LeadCore
from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError
from leadcore.ports.assessments import AssessmentRepository, QuestionnaireRepository
from leadcore.ports.documents import DocumentRepository
from leadcore.ports.repositories import (
    AuditRepository,
    LeadRepository,
    SequencePort,
    UserRepository,
)
from leadcore.ports.unit_of_work import Intent, UnitOfWork, UnitOfWorkFactory


class CommitFails:
    """A real unit of work whose commit is refused, as by a store that fails at the end."""

    users: UserRepository
    leads: LeadRepository
    audit: AuditRepository
    sequences: SequencePort
    assessments: AssessmentRepository
    questionnaires: QuestionnaireRepository
    documents: DocumentRepository

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner

    def __enter__(self) -> Self:
        inner = self._inner.__enter__()
        self.users, self.leads, self.audit = inner.users, inner.leads, inner.audit
        self.sequences, self.assessments = inner.sequences, inner.assessments
        self.questionnaires, self.documents = inner.questionnaires, inner.documents
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        """Refuse, leaving every write of the unit to the rollback."""
        raise errors.database_error("the test refuses this commit", retryable=True)

    def rollback(self) -> None:
        """Roll the real unit back."""
        self._inner.rollback()


class CommitsFail:
    """Makes units of work whose commit fails; read-only units are left alone."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner

    def __call__(self, intent: Intent = Intent.WRITE) -> UnitOfWork:
        """Return a unit of work that cannot commit (a real one for reads)."""
        unit = self._inner(intent)
        return unit if intent is Intent.READ else CommitFails(unit)

    def may_rerun(self, failure: LeadCoreError, reruns: int) -> bool:
        """Answer as the store underneath does (the refused commit is no conflict)."""
        return self._inner.may_rerun(failure, reruns)


def make_commits_fail(core: LeadCore) -> None:
    """Override ``core``'s unit of work so that commits fail, and rebuild its services.

    Afterwards ``core.container.assessments()`` etc. are services on the failing store;
    ``core.assessments`` (built at connect) still commits normally, and reads (which
    never commit) work through either, for checking state.
    """
    container = core.container
    container.uow.override(providers.Object(CommitsFail(container.uow())))
    for service in (container.leads, container.assessments, container.documents):
        service.reset()
