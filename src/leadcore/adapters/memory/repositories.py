"""Memory repositories: the same invariants and errors as the SQL ones."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from leadcore.adapters.memory.store import MemoryStore, UndoLog
from leadcore.domain import errors
from leadcore.domain.audit import (
    AuditAction,
    AuditEntry,
    AuditLink,
    entry_hash,
    lead_entry,
    stream_of,
)
from leadcore.domain.lead_ids import LeadNumbering, highest_numbers
from leadcore.domain.leads import Lead, LeadDraft
from leadcore.domain.pages import Page, encode_cursor
from leadcore.domain.users import ActorGuard, Role, User
from leadcore.ports.repositories import LeadQuery

T = TypeVar("T")


class MemoryUsers:
    """Users in a MemoryStore."""

    def __init__(self, store: MemoryStore, undo: UndoLog) -> None:
        self._store = store
        self._undo = undo

    def get(self, user_id: str) -> User | None:
        """Return the user with this id, or None."""
        return self._store.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        """Return the user with this (lower-cased) e-mail, or None."""
        user_id = self._store.user_ids_by_email.get(email.lower())
        return None if user_id is None else self._store.users[user_id]

    def any_exist(self) -> bool:
        """Say whether at least one user exists."""
        return bool(self._store.users)

    def add(self, user: User) -> None:
        """Insert a new user; DUPLICATE_RESOURCE if the e-mail or id is taken."""
        email = user.email.lower()
        if email in self._store.user_ids_by_email or user.id in self._store.users:
            raise errors.duplicate_resource(email=email)
        self._undo.put(self._store.users, user.id, user)
        self._undo.put(self._store.user_ids_by_email, email, user.id)

    def set_active(self, user: User) -> bool:
        """Store ``user.is_active`` if it differs from the stored value; say whether it did."""
        stored = self._store.users.get(user.id)
        if stored is None:
            raise errors.user_not_found(user.id)
        if stored.is_active == user.is_active:
            return False
        self._undo.put(self._store.users, user.id, user)
        return True

    def list(
        self,
        *,
        role: Role | None,
        active: bool | None,
        limit: int,
        after: tuple[datetime, str] | None,
    ) -> Page[User]:
        """Return users in (created_at, id) order, filtered by role and activity."""
        users = (
            u
            for u in self._store.users.values()
            if (role is None or u.role is role) and (active is None or u.is_active is active)
        )
        return _keyset_page(users, lambda u: (u.created_at, u.id), limit, after)


class MemoryLeads:
    """Leads in a MemoryStore, written with their audit entries."""

    def __init__(
        self, store: MemoryStore, undo: UndoLog, audit: MemoryAudit, sequences: MemorySequences
    ) -> None:
        self._store = store
        self._undo = undo
        self._audit = audit
        self._sequences = sequences

    def get(self, lead_id: str) -> Lead | None:
        """Return the lead with this id, or None."""
        return self._store.leads.get(lead_id)

    def get_with_actor(self, lead_id: str, actor_id: str) -> tuple[User | None, Lead | None]:
        """Return the acting user and the lead together."""
        return self._store.users.get(actor_id), self._store.leads.get(lead_id)

    def get_by_cin(self, cin: str) -> Lead | None:
        """Return the lead with this normalised CIN, or None."""
        lead_id = self._store.lead_ids_by_cin.get(cin)
        return None if lead_id is None else self._store.leads[lead_id]

    def list(self, query: LeadQuery) -> Page[Lead]:
        """Return one page of leads in (created_at, id) order."""
        leads = (
            lead
            for lead in self._store.leads.values()
            if (query.status is None or lead.status is query.status)
            and (query.assessor_id is None or lead.assessor_id == query.assessor_id)
        )
        return _keyset_page(leads, lambda x: (x.created_at, x.id), query.limit, query.after)

    def create(
        self, draft: LeadDraft, numbering: LeadNumbering, audit_id: str, guard: ActorGuard
    ) -> Lead:
        """Number and insert a new lead with its LEAD_CREATED entry, if the guard passes."""
        guard.check(self._store.users.get(guard.actor_id))
        cin = str(draft.fields["cin"])
        if cin in self._store.lead_ids_by_cin:
            raise errors.duplicate_cin(cin)
        lead = draft.to_lead(numbering.format(self._sequences.next(numbering.counter)))
        if lead.id in self._store.leads:
            raise errors.duplicate_resource(lead_id=lead.id)
        self.insert(lead)
        self._audit.append(
            lead_entry(
                audit_id,
                draft.created_at,
                draft.created_by,
                AuditAction.LEAD_CREATED,
                lead.id,
                {},
                draft.audit_values(),
            )
        )
        return lead

    def insert(self, lead: Lead) -> None:
        """Insert a lead that already has its id (imports); DUPLICATE_CIN if the CIN is taken."""
        if lead.cin in self._store.lead_ids_by_cin:
            raise errors.duplicate_cin(lead.cin)
        if lead.id in self._store.leads:
            raise errors.duplicate_resource(lead_id=lead.id)
        self._undo.put(self._store.leads, lead.id, lead)
        self._undo.put(self._store.lead_ids_by_cin, lead.cin, lead.id)

    def save(self, lead: Lead, expected_version: int, audit: AuditEntry, guard: ActorGuard) -> None:
        """Write ``lead`` if the stored version is still ``expected_version``, with its entry."""
        guard.check(self._store.users.get(guard.actor_id))
        stored = self._store.leads.get(lead.id)
        if stored is None:
            raise errors.lead_not_found(lead.id)
        if stored.version != expected_version:
            raise errors.stale_data("lead", lead.id, expected_version, stored.version)
        if lead.cin != stored.cin:
            if lead.cin in self._store.lead_ids_by_cin:
                raise errors.duplicate_cin(lead.cin)
            self._undo.put(self._store.lead_ids_by_cin, lead.cin, lead.id)
            self._undo.delete(self._store.lead_ids_by_cin, stored.cin)
        self._undo.put(self._store.leads, lead.id, lead)
        self._audit.append(audit)

    def existing_cins(self, cins: Collection[str]) -> set[str]:
        """Return those of ``cins`` that some lead already has."""
        return {cin for cin in cins if cin in self._store.lead_ids_by_cin}

    def existing_ids(self, lead_ids: Collection[str]) -> set[str]:
        """Return those of ``lead_ids`` that are taken."""
        return {lead_id for lead_id in lead_ids if lead_id in self._store.leads}

    def insert_many(self, leads: Sequence[Lead], entries: Sequence[AuditEntry]) -> None:
        """Insert numbered leads and their entries."""
        for lead in leads:
            self.insert(lead)
        for entry in entries:
            self._audit.append(entry)

    def highest_numbers(self, prefix: str) -> Mapping[int, int]:
        """Return {year: highest number in use} over the ids ``<prefix>-<year>-<number>``."""
        return highest_numbers(self._store.leads, prefix)


class MemoryAudit:
    """The audit trail of a MemoryStore."""

    def __init__(self, store: MemoryStore, undo: UndoLog) -> None:
        self._store = store
        self._undo = undo

    def append(self, entry: AuditEntry) -> None:
        """Append one entry, chained to the last one of its stream."""
        position = len(self._store.audit)
        stream = stream_of(entry.lead_id)
        digest = entry_hash(self._store.audit_heads.get(stream, ""), entry)
        self._undo.append(self._store.audit, entry)
        self._undo.append(self._store.audit_hashes, digest)
        self._undo.put(self._store.audit_heads, stream, digest)
        if entry.lead_id is not None:
            positions = self._store.audit_positions_by_lead.setdefault(entry.lead_id, [])
            self._undo.append(positions, position)

    def for_lead(self, lead_id: str) -> Sequence[AuditEntry]:
        """Return every entry of one lead, oldest first."""
        audit = self._store.audit
        return [audit[p] for p in self._store.audit_positions_by_lead.get(lead_id, ())]

    def links(self, lead_id: str | None) -> Iterator[AuditLink]:
        """Yield the entries of one lead's stream (or of every stream) with their hashes."""
        audit, hashes = self._store.audit, self._store.audit_hashes
        positions: Iterable[int] = (
            self._store.audit_positions_by_lead.get(lead_id, ())
            if lead_id is not None
            else range(len(audit))
        )
        for p in positions:
            yield AuditLink(p + 1, audit[p], hashes[p] if p < len(hashes) else None)

    def heads(self, lead_id: str | None) -> Mapping[str, str | None]:
        """Return the last hash of one lead's stream (or of every stream)."""
        heads = self._store.audit_heads
        if lead_id is None:
            return dict(heads)
        stream = stream_of(lead_id)
        return {stream: heads[stream]} if stream in heads else {}

    def list(
        self, *, action: AuditAction | None, lead_id: str | None, limit: int, after: int | None
    ) -> Page[AuditEntry]:
        """Return one page of entries, oldest first, after the position ``after``."""
        audit = self._store.audit
        positions: Iterable[int] = (
            self._store.audit_positions_by_lead.get(lead_id, ())
            if lead_id is not None
            else range(min(after or 0, len(audit)), len(audit))  # positions are p + 1
        )
        items: list[AuditEntry] = []
        last = 0
        for p in positions:
            if after is not None and p + 1 <= after:
                continue
            if action is not None and audit[p].action is not action:
                continue
            if len(items) == limit:
                return Page(items, encode_cursor(last))
            items.append(audit[p])
            last = p + 1
        return Page(items, None)


class MemorySequences:
    """Gapless named counters of a MemoryStore."""

    def __init__(self, store: MemoryStore, undo: UndoLog) -> None:
        self._store = store
        self._undo = undo

    def next(self, name: str) -> int:
        """Return the counter's next value (1 for a new counter)."""
        return self.reserve(name, 1).start

    def reserve(self, name: str, count: int) -> range:
        """Return a block of ``count`` consecutive values, taken at once."""
        if count < 1:
            raise errors.invalid_field("count", "must be at least 1")
        first = self._store.counters.get(name, 0) + 1
        self._undo.put(self._store.counters, name, first + count - 1)
        return range(first, first + count)

    def current(self, name: str) -> int:
        """Return the last value handed out (0 for a new counter)."""
        return self._store.counters.get(name, 0)

    def raise_to(self, name: str, value: int) -> int:
        """Raise the counter to at least ``value`` (never lower it); return the result."""
        current = self.current(name)
        if value > current:
            self._undo.put(self._store.counters, name, value)
            return value
        return current


def _keyset_page(
    items: Iterable[T],
    key: Callable[[T], tuple[datetime, str]],
    limit: int,
    after: tuple[datetime, str] | None,
) -> Page[T]:
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) > after]
    page = ordered[:limit]
    if len(ordered) <= limit:
        return Page(page, None)
    last_at, last_id = key(page[-1])
    return Page(page, encode_cursor(last_at.isoformat(), last_id))
