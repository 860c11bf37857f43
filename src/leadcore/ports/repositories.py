"""Repository and sequence ports. Repositories never commit: their unit of work does."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

import attrs

from leadcore.domain.audit import AuditAction, AuditEntry, AuditLink
from leadcore.domain.lead_ids import LeadNumbering
from leadcore.domain.leads import Lead, LeadDraft, LeadStatus
from leadcore.domain.pages import Page
from leadcore.domain.users import ActorGuard, Role, User


@attrs.frozen
class LeadQuery:
    """Filters and keyset position of a lead list, ordered by (created_at, id)."""

    status: LeadStatus | None = None
    assessor_id: str | None = None
    limit: int = 50
    after: tuple[datetime, str] | None = None


class UserRepository(Protocol):
    """Users, unique by lower-cased e-mail."""

    def get(self, user_id: str) -> User | None:
        """Return the user with this id, or None."""
        ...

    def get_by_email(self, email: str) -> User | None:
        """Return the user with this (lower-cased) e-mail, or None."""
        ...

    def any_exist(self) -> bool:
        """Say whether at least one user exists."""
        ...

    def add(self, user: User) -> None:
        """Insert a new user; DUPLICATE_RESOURCE if the e-mail is taken."""
        ...

    def set_active(self, user: User) -> bool:
        """Store ``user.is_active`` if it differs from the stored value; say whether it did."""
        ...

    def list(
        self,
        *,
        role: Role | None,
        active: bool | None,
        limit: int,
        after: tuple[datetime, str] | None,
    ) -> Page[User]:
        """Return users in (created_at, id) order, filtered by role and activity."""
        ...


class LeadRepository(Protocol):
    """Leads, unique by normalised CIN, written with their audit entry in one step.

    The write methods take the audit entry and (all but the bulk ``insert_many``, whose
    caller checked the actor) an ``ActorGuard`` so that an adapter can
    check the actor, write the row and append the entry atomically, in one statement
    where its database allows: no window between the check and the write, and no
    client round trip while the counter row is locked.
    """

    def get(self, lead_id: str) -> Lead | None:
        """Return the lead with this id, or None."""
        ...

    def get_with_actor(self, lead_id: str, actor_id: str) -> tuple[User | None, Lead | None]:
        """Return the acting user and the lead together (one read where possible)."""
        ...

    def get_by_cin(self, cin: str) -> Lead | None:
        """Return the lead with this normalised CIN, or None."""
        ...

    def list(self, query: LeadQuery) -> Page[Lead]:
        """Return one page of leads in (created_at, id) order."""
        ...

    def create(
        self, draft: LeadDraft, numbering: LeadNumbering, audit_id: str, guard: ActorGuard
    ) -> Lead:
        """Number and insert a new lead with its LEAD_CREATED entry, if the guard passes.

        The number is taken from ``numbering.counter`` in the same transaction, so a
        refused create (guard, DUPLICATE_CIN) consumes none.
        """
        ...

    def save(self, lead: Lead, expected_version: int, audit: AuditEntry, guard: ActorGuard) -> None:
        """Write ``lead`` if the stored version is still ``expected_version``, with its entry.

        Compare-and-set: STALE_DATA if the version moved, LEAD_NOT_FOUND if it is gone.
        """
        ...

    def existing_cins(self, cins: Collection[str]) -> set[str]:
        """Return those of ``cins`` that some lead already has."""
        ...

    def existing_ids(self, lead_ids: Collection[str]) -> set[str]:
        """Return those of ``lead_ids`` that are taken."""
        ...

    def insert_many(self, leads: Sequence[Lead], entries: Sequence[AuditEntry]) -> None:
        """Insert numbered leads and their entries in bulk (COPY where the database has it).

        DUPLICATE_CIN / DUPLICATE_RESOURCE if one is taken; then nothing of the call is kept
        once the unit rolls back.
        """
        ...

    def highest_numbers(self, prefix: str) -> Mapping[int, int]:
        """Return {year: highest number in use} over the ids ``<prefix>-<year>-<number>``."""
        ...


class AuditRepository(Protocol):
    """The append-only audit trail, in insertion order."""

    def append(self, entry: AuditEntry) -> None:
        """Append one entry."""
        ...

    def for_lead(self, lead_id: str) -> Sequence[AuditEntry]:
        """Return every entry of one lead, oldest first."""
        ...

    def list(
        self, *, action: AuditAction | None, lead_id: str | None, limit: int, after: int | None
    ) -> Page[AuditEntry]:
        """Return one page of entries, oldest first, after the position ``after``."""
        ...

    def links(self, lead_id: str | None) -> Iterator[AuditLink]:
        """Yield the entries of one lead's stream (or of every stream) with their hashes."""
        ...

    def heads(self, lead_id: str | None) -> Mapping[str, str | None]:
        """Return the last hash of one lead's stream (or of every stream), by stream."""
        ...


class SequencePort(Protocol):
    """Named gapless counters, advanced inside the caller's transaction."""

    def next(self, name: str) -> int:
        """Return the counter's next value (1 for a new counter)."""
        ...

    def reserve(self, name: str, count: int) -> range:
        """Return a block of ``count`` consecutive values, taken at once."""
        ...

    def current(self, name: str) -> int:
        """Return the last value handed out (0 for a new counter)."""
        ...

    def raise_to(self, name: str, value: int) -> int:
        """Raise the counter to at least ``value`` (never lower it); return the result."""
        ...
