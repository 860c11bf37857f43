"""What the suites over the whole public surface share: the list of its commands, and a
snapshot of everything a command could change, to prove that a refusal wrote nothing."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

import attrs

from leadcore import (
    Assessment,
    AuditEntry,
    Document,
    Lead,
    LeadCore,
    Page,
    Questionnaire,
    User,
)
from leadcore.adapters.files import FileBlobStore
from leadcore.adapters.memory.documents import MemoryBlobStore
from leadcore.domain.pages import MAX_PAGE_SIZE
from leadcore.ports.repositories import LeadQuery
from leadcore.ports.unit_of_work import Intent
from leadcore.services.assessments import QUESTIONNAIRE_COUNTER
from leadcore.services.pagination import position_key, time_key
from leadcore.services.users import BOOTSTRAP_COUNTER

T = TypeVar("T")

SERVICES: tuple[str, ...] = ("users", "leads", "audit", "assessments", "documents")
# The years whose lead counters a snapshot reads (the tests' FakeClock starts in 2026).
COUNTED_YEARS: tuple[int, ...] = (2025, 2026, 2027)


def public_commands(core: LeadCore) -> set[str]:
    """Return ``service.method`` for every public method of every service of ``core``."""
    return {
        f"{service}.{name}"
        for service in SERVICES
        for name, _ in inspect.getmembers(getattr(core, service), inspect.ismethod)
        if not name.startswith("_")
    }


@attrs.frozen
class StoreState:
    """Everything a command could change, read straight through the ports."""

    users: list[User]
    leads: list[Lead]
    audit: list[AuditEntry]
    assessments: list[Assessment]
    documents: list[Document]
    questionnaire: Questionnaire | None
    counters: dict[str, int]
    blobs: list[str]


def store_state(core: LeadCore) -> StoreState:
    """Return the whole state of ``core``, read in one unit of work (no command, no actor)."""
    id_format = core.container.settings().lead_id_format()
    counter_names = [id_format.counter_name(year) for year in COUNTED_YEARS]
    counter_names += [QUESTIONNAIRE_COUNTER, BOOTSTRAP_COUNTER]
    with core.container.uow()(Intent.READ) as uow:
        leads = _all_pages(
            lambda after: uow.leads.list(LeadQuery(limit=MAX_PAGE_SIZE, after=time_key(after)))
        )
        return StoreState(
            users=_all_pages(
                lambda after: uow.users.list(
                    role=None, active=None, limit=MAX_PAGE_SIZE, after=time_key(after)
                )
            ),
            leads=leads,
            audit=_all_pages(
                lambda after: uow.audit.list(
                    action=None, lead_id=None, limit=MAX_PAGE_SIZE, after=position_key(after)
                )
            ),
            assessments=[a for lead in leads for a in uow.assessments.for_lead(lead.id)],
            documents=[d for lead in leads for d in uow.documents.list_for_lead(lead.id)],
            questionnaire=uow.questionnaires.current(),
            counters={name: uow.sequences.current(name) for name in counter_names},
            blobs=blob_names(core),
        )


def blob_names(core: LeadCore) -> list[str]:
    """Return the names of the document contents the core's blob store holds."""
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore | MemoryBlobStore)
    return sorted(blobs.names())


def _all_pages(read: Callable[[str | None], Page[T]]) -> list[T]:
    """Return the items of every page ``read(after)`` gives, following the cursors."""
    found: list[T] = []
    after: str | None = None
    while True:
        page = read(after)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        after = page.next_cursor
