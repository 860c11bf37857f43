"""SQL repositories: the memory store's semantics, kept by the database's constraints.

Repositories never open, commit or roll back a transaction: they send statements through
their unit of work, which owns the connection and translates every driver error.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from leadcore.adapters.sql.rows import to_json
from leadcore.adapters.sql.statements import USER_COLUMNS
from leadcore.domain import errors
from leadcore.domain.audit import (
    AuditAction,
    AuditEntry,
    AuditLink,
    EntityType,
    canonical_content,
    canonical_json,
    chain_hash,
    created_content_around_id,
    entry_hash,
    lead_entry,
    stream_of,
)
from leadcore.domain.lead_ids import LeadNumbering, highest_numbers
from leadcore.domain.leads import Lead, LeadDraft, LeadStatus
from leadcore.domain.pages import Page, encode_cursor
from leadcore.domain.users import ActorGuard, Permission, Role, User
from leadcore.ports.repositories import LeadQuery

if TYPE_CHECKING:
    from leadcore.adapters.sql.unit_of_work import SqlUnitOfWork

T = TypeVar("T")

# Audit links read per statement when a chain is verified (bounded memory on any trail).
LINK_PAGE = 2000

# The role names a guard lets through, as a PostgreSQL array literal ("{ADMIN,REVIEWER}")
# the CTEs cast to text[]: psycopg dumps a str much faster than it inspects a list.
_GUARD_ROLES: dict[Permission, str] = {}


def _roles(guard: ActorGuard) -> str:
    roles = _GUARD_ROLES.get(guard.permission)
    if roles is None:
        names = ",".join(sorted(role.value for role in guard.roles))
        roles = _GUARD_ROLES[guard.permission] = "{" + names + "}"
    return roles


class SqlUsers:
    """Users in SQL, unique by lower-cased e-mail (a unique constraint)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def get(self, user_id: str) -> User | None:
        """Return the user with this id, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.user_get, {"id": user_id}).fetchone()
        return None if row is None else uow.rows.user(row)

    def get_by_email(self, email: str) -> User | None:
        """Return the user with this (lower-cased) e-mail, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.user_by_email, {"email": email.lower()}).fetchone()
        return None if row is None else uow.rows.user(row)

    def any_exist(self) -> bool:
        """Say whether at least one user exists."""
        uow = self._uow
        return uow.execute(uow.sql.users_any, {}).fetchone() is not None

    def add(self, user: User) -> None:
        """Insert a new user; DUPLICATE_RESOURCE if the e-mail or id is taken."""
        uow = self._uow
        uow.claim_write()
        timestamp = uow.rows.timestamp
        params = {
            "id": user.id,
            "email": user.email.lower(),
            "name": user.name,
            "role": user.role.value,
            "is_active": user.is_active,
            "created_at": timestamp(user.created_at),
            "updated_at": timestamp(user.updated_at),
        }
        uow.execute(uow.sql.user_insert, params, write=True)

    def set_active(self, user: User) -> bool:
        """Store ``user.is_active`` if it differs from the stored value; say whether it did."""
        uow = self._uow
        uow.claim_write()
        params = {
            "user_id": user.id,
            "active": user.is_active,
            "at": uow.rows.timestamp(user.updated_at),
        }
        if uow.execute(uow.sql.user_set_active, params, write=True).rowcount == 1:
            return True
        if self.get(user.id) is None:
            raise errors.user_not_found(user.id)
        return False

    def list(
        self,
        *,
        role: Role | None,
        active: bool | None,
        limit: int,
        after: tuple[datetime, str] | None,
    ) -> Page[User]:
        """Return users in (created_at, id) order, filtered by role and activity."""
        uow = self._uow
        sql = uow.sql.users_list(
            role=role is not None, active=active is not None, after=after is not None
        )
        params: dict[str, Any] = {
            "limit": limit + 1,
            "role": None if role is None else role.value,
            "active": active,
        }
        _after(params, after, uow)
        found = [uow.rows.user(row) for row in uow.execute(sql, params).fetchall()]
        return _time_page(found, limit, lambda user: (user.created_at, user.id))


class SqlLeads:
    """Leads in SQL, written with their audit entries; unique by CIN (a unique constraint)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def get(self, lead_id: str) -> Lead | None:
        """Return the lead with this id, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.lead_get, {"id": lead_id}).fetchone()
        return None if row is None else uow.rows.lead(row)

    def get_with_actor(self, lead_id: str, actor_id: str) -> tuple[User | None, Lead | None]:
        """Return the acting user and the lead, read together in one statement."""
        uow = self._uow
        row = uow.one(uow.sql.get_with_actor, {"actor_id": actor_id, "lead_id": lead_id})
        rows = uow.rows
        start = len(USER_COLUMNS)
        actor = None if row[0] is None else rows.user(row)
        lead = None if row[start] is None else rows.lead(row, start)
        return actor, lead

    def get_by_cin(self, cin: str) -> Lead | None:
        """Return the lead with this normalised CIN, or None."""
        uow = self._uow
        row = uow.execute(uow.sql.lead_by_cin, {"cin": cin}).fetchone()
        return None if row is None else uow.rows.lead(row)

    def list(self, query: LeadQuery) -> Page[Lead]:
        """Return one page of leads in (created_at, id) order."""
        uow = self._uow
        sql = uow.sql.leads_list(
            status=query.status is not None,
            assessor=query.assessor_id is not None,
            after=query.after is not None,
        )
        params: dict[str, Any] = {
            "limit": query.limit + 1,
            "status": None if query.status is None else query.status.value,
            "assessor_id": query.assessor_id,
        }
        _after(params, query.after, uow)
        found = [uow.rows.lead(row) for row in uow.execute(sql, params).fetchall()]
        return _time_page(found, query.limit, lambda lead: (lead.created_at, lead.id))

    def create(
        self, draft: LeadDraft, numbering: LeadNumbering, audit_id: str, guard: ActorGuard
    ) -> Lead:
        """Number and insert a new lead with its LEAD_CREATED entry, if the guard passes.

        PostgreSQL: one statement (guard, counter, lead, entry), so the counter row is
        locked only while the server runs it. SQLite: the same four steps inside the
        unit's BEGIN IMMEDIATE transaction.
        """
        uow = self._uow
        uow.claim_write()
        fields = draft.fields
        params: dict[str, Any] = {
            "actor_id": guard.actor_id,
            "counter": numbering.counter,
            "cin": fields.get("cin"),
            "company_name": fields.get("company_name"),
            "contact_name": fields.get("contact_name"),
            "contact_email": fields.get("contact_email"),
            "contact_phone": fields.get("contact_phone"),
            "city": fields.get("city"),
            "state": fields.get("state"),
            "notes": fields.get("notes"),
            "status": LeadStatus.NEW.value,
            "at": uow.rows.timestamp(draft.created_at),
            "audit_id": audit_id,
            "action": AuditAction.LEAD_CREATED.value,
            "entity_type": EntityType.LEAD.value,
            "new": canonical_json(draft.audit_values()),
        }
        if uow.is_postgres:
            params.update(self._chain_around_id(draft, audit_id, params["new"]))
            return self._create_in_one_statement(draft, numbering, guard, params)
        with uow.atomic():  # already the unit's BEGIN IMMEDIATE transaction
            return self._create_in_steps(draft, numbering, guard, params)

    def _create_in_steps(
        self,
        draft: LeadDraft,
        numbering: LeadNumbering,
        guard: ActorGuard,
        params: dict[str, Any],
    ) -> Lead:
        uow = self._uow
        guard.check(uow.users.get(guard.actor_id))
        number = uow.sequences.take(numbering.counter, 1)
        lead = draft.to_lead(numbering.format(number))
        entry = self._created_entry(draft, params["audit_id"], lead.id)
        digest = entry_hash("", entry)
        self._insert(lead, digest)
        uow.audit.insert(SqlAudit.params(entry, uow) | {"hash": digest})
        return lead

    @staticmethod
    def _created_entry(draft: LeadDraft, audit_id: str, lead_id: str) -> AuditEntry:
        """Return the LEAD_CREATED entry of ``draft`` as the lead ``lead_id``."""
        return lead_entry(
            audit_id,
            draft.created_at,
            draft.created_by,
            AuditAction.LEAD_CREATED,
            lead_id,
            {},
            draft.audit_values(),
        )

    @staticmethod
    def _chain_around_id(draft: LeadDraft, audit_id: str, new_json: str) -> dict[str, str]:
        """Return what the create statement hashes the LEAD_CREATED entry from.

        The id is made in SQL, so the hash is too: from the entry's canonical content
        around the id, ``chain_a`` starting with the "\\n" after a new stream's empty head.
        """
        a, b, c = created_content_around_id(audit_id, draft.created_at, draft.created_by, new_json)
        return {"chain_a": "\n" + a, "chain_b": b, "chain_c": c}

    def _create_in_one_statement(
        self,
        draft: LeadDraft,
        numbering: LeadNumbering,
        guard: ActorGuard,
        params: dict[str, Any],
    ) -> Lead:
        uow = self._uow
        params["roles"] = _roles(guard)
        params["prefix"] = numbering.prefix
        params["width"] = numbering.width
        for _attempt in range(2):
            row = uow.execute(uow.sql.pg_create_lead, params, write=True).fetchone()
            if row is not None:
                return draft.to_lead(row[0])
            # Nothing written: the guard refused. Read the actor to say why.
            guard.check(uow.users.get(guard.actor_id))
        raise errors.database_error(
            "the acting user changed while the lead was being created", retryable=True
        )

    def _insert(self, lead: Lead, audit_head: str) -> None:
        uow = self._uow
        timestamp = uow.rows.timestamp
        params = _lead_params(lead)
        params["audit_head"] = audit_head
        params["id"] = lead.id
        params["created_by"] = lead.created_by
        params["created_at"] = timestamp(lead.created_at)
        params["updated_at"] = timestamp(lead.updated_at)
        uow.execute(uow.sql.lead_insert, params, write=True)

    def save(self, lead: Lead, expected_version: int, audit: AuditEntry, guard: ActorGuard) -> None:
        """Write ``lead`` if the stored version is still ``expected_version``, with its entry.

        A compare-and-set (``WHERE id AND version = expected``), never an isolation level;
        on PostgreSQL one statement with the guard and the audit row.
        """
        uow = self._uow
        uow.claim_write()
        params = _lead_params(lead)
        params["id"] = lead.id
        params["expected_version"] = expected_version
        params["updated_at"] = uow.rows.timestamp(lead.updated_at)
        entry = SqlAudit.params(audit, uow)
        if uow.is_postgres:
            params["content"] = canonical_content(audit)
            params["actor_id"] = guard.actor_id
            params["roles"] = _roles(guard)
            params["audit_id"] = entry["id"]
            params["audit_actor_id"] = entry["actor_id"]
            for name in ("at", "action", "lead_id", "entity_type", "entity_id", "old", "new"):
                params[name] = entry[name]
            for _attempt in range(2):
                if uow.execute(uow.sql.pg_save_lead, params, write=True).fetchone() is not None:
                    return
                self._refuse(lead.id, expected_version, guard)
            raise errors.database_error(
                "the acting user changed while the lead was being saved", retryable=True
            )
        with uow.atomic():  # already the unit's BEGIN IMMEDIATE transaction
            guard.check(uow.users.get(guard.actor_id))
            if uow.execute(uow.sql.lead_compare_and_set, params, write=True).rowcount != 1:
                self._refuse(lead.id, expected_version, guard)
            uow.audit.chain(audit, entry)

    def existing_cins(self, cins: Collection[str]) -> set[str]:
        """Return those of ``cins`` that some lead already has."""
        return self._existing(self._uow.sql.existing_cins, cins)

    def existing_ids(self, lead_ids: Collection[str]) -> set[str]:
        """Return those of ``lead_ids`` that are taken."""
        return self._existing(self._uow.sql.existing_ids, lead_ids)

    def _existing(self, sql: str, values: Collection[str]) -> set[str]:
        if not values:
            return set()
        uow = self._uow
        listed = sorted(values)
        param: object = listed if uow.is_postgres else to_json(listed)
        return {row[0] for row in uow.execute(sql, {"values": param}).fetchall()}

    def insert_many(self, leads: Sequence[Lead], entries: Sequence[AuditEntry]) -> None:
        """Insert numbered leads and their entries in bulk: COPY on PostgreSQL.

        DUPLICATE_CIN / DUPLICATE_RESOURCE if one is taken (the unit then rolls back).
        """
        uow = self._uow
        uow.claim_write()
        # The new leads' streams start here: chain their entries in Python, in order.
        heads: dict[str, str] = {lead.id: "" for lead in leads}
        hashes: list[str | None] = []
        for entry in entries:
            lead_id = entry.lead_id
            if lead_id is not None and lead_id in heads:
                heads[lead_id] = entry_hash(heads[lead_id], entry)
                hashes.append(heads[lead_id])
            else:
                hashes.append(None)  # another stream: chained under its lock below
        with uow.atomic():
            if uow.is_postgres:
                uow.copy(uow.sql.copy_leads, (_lead_row(lead, heads[lead.id]) for lead in leads))
                uow.copy(
                    uow.sql.copy_audit,
                    (
                        _audit_row(entry, digest)
                        for entry, digest in zip(entries, hashes, strict=True)
                        if digest is not None
                    ),
                )
            else:
                for lead in leads:
                    self._insert(lead, heads[lead.id])
                for entry, digest in zip(entries, hashes, strict=True):
                    if digest is not None:
                        params = SqlAudit.params(entry, uow)
                        params["hash"] = digest
                        uow.audit.insert(params)
            for entry, digest in zip(entries, hashes, strict=True):
                if digest is None:
                    uow.audit.chain(entry)

    def highest_numbers(self, prefix: str) -> Mapping[int, int]:
        """Return {year: highest number in use} over the ids ``<prefix>-<year>-<number>``."""
        uow = self._uow
        cursor = uow.execute(uow.sql.lead_ids_from, {"first": f"{prefix}-", "last": f"{prefix}."})
        return highest_numbers((row[0] for row in cursor.fetchall()), prefix)

    def _refuse(self, lead_id: str, expected_version: int, guard: ActorGuard) -> None:
        """Raise why a compare-and-set wrote nothing: the guard, a missing lead, a version."""
        actor, stored = self.get_with_actor(lead_id, guard.actor_id)
        guard.check(actor)
        if stored is None:
            raise errors.lead_not_found(lead_id)
        if stored.version != expected_version:
            raise errors.stale_data("lead", lead_id, expected_version, stored.version)


def _lead_row(lead: Lead, audit_head: str) -> tuple[Any, ...]:
    """Return ``lead`` as a COPY row, columns as LEAD_COLUMNS then audit_head."""
    return (
        lead.id,
        lead.cin,
        lead.company_name,
        lead.contact_name,
        lead.contact_email,
        lead.contact_phone,
        lead.city,
        lead.state,
        lead.notes,
        lead.status.value,
        lead.assessor_id,
        lead.created_by,
        lead.created_at,
        lead.updated_at,
        lead.version,
        audit_head,
    )


def _audit_row(entry: AuditEntry, digest: str) -> tuple[Any, ...]:
    """Return ``entry`` as a COPY row, columns as AUDIT_COLUMNS then hash."""
    return (
        entry.id,
        entry.at,
        entry.actor_id,
        entry.action.value,
        entry.lead_id,
        entry.entity_type.value,
        entry.entity_id,
        to_json(entry.old),
        to_json(entry.new),
        digest,
    )


def _lead_params(lead: Lead) -> dict[str, Any]:
    """Return the changeable columns of ``lead`` as statement parameters."""
    return {
        "cin": lead.cin,
        "company_name": lead.company_name,
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "contact_phone": lead.contact_phone,
        "city": lead.city,
        "state": lead.state,
        "notes": lead.notes,
        "status": lead.status.value,
        "assessor_id": lead.assessor_id,
        "version": lead.version,
    }


class SqlAudit:
    """The audit trail in SQL; its position column keeps the order of insertion."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    @staticmethod
    def params(entry: AuditEntry, uow: SqlUnitOfWork) -> dict[str, Any]:
        """Return ``entry`` as the parameters of an audit insert."""
        return {
            "id": entry.id,
            "at": uow.rows.timestamp(entry.at),
            "actor_id": entry.actor_id,
            "action": entry.action.value,
            "lead_id": entry.lead_id,
            "entity_type": entry.entity_type.value,
            "entity_id": entry.entity_id,
            "old": to_json(entry.old),
            "new": to_json(entry.new),
        }

    def append(self, entry: AuditEntry) -> None:
        """Append one entry, chained to the last one of its stream."""
        self._uow.claim_write()
        self.chain(entry)

    def chain(self, entry: AuditEntry, params: dict[str, Any] | None = None) -> None:
        """Advance the entry's stream head under its row's lock, then insert the entry.

        Part of a write already claimed; ``params`` are the entry's, if already made. A
        lead's stream head is the lead's own row, and every write that moves a lead takes
        that row before any other (an assessment's, a document's): a write that changes
        only another row calls this first, or it would take the two rows in the opposite
        order and could deadlock with one that moves the lead.
        """
        uow = self._uow
        params = self.params(entry, uow) if params is None else params
        content = canonical_content(entry)
        with uow.atomic():
            params["hash"] = self._advance(entry.lead_id, content)
            self.insert(params)

    def _advance(self, lead_id: str | None, content: str) -> str:
        """Return the stream's new head, written to its row (locked until commit)."""
        uow = self._uow
        sql = uow.sql
        stream = stream_of(lead_id)
        if uow.is_postgres:
            if lead_id is None:
                params = {"stream": stream, "content": content}
                return str(uow.one(sql.chain_stream, params, write=True)[0])
            found = uow.execute(
                sql.chain_lead, {"lead_id": lead_id, "content": content}, write=True
            ).fetchone()
            if found is None:
                raise errors.lead_not_found(lead_id)
            return str(found[0])
        # SQLite: the unit's BEGIN IMMEDIATE already keeps every other writer out.
        if lead_id is None:
            row = uow.execute(sql.stream_head, {"stream": stream}).fetchone()
            head = chain_hash("" if row is None else row[0], content)
            uow.execute(sql.set_stream_head, {"stream": stream, "head": head}, write=True)
            return head
        row = uow.execute(sql.lead_head_of, {"lead_id": lead_id}).fetchone()
        if row is None:
            raise errors.lead_not_found(lead_id)
        head = chain_hash(row[1] or "", content)
        uow.execute(sql.set_lead_head, {"lead_id": lead_id, "head": head}, write=True)
        return head

    def insert(self, params: dict[str, Any]) -> None:
        """Insert one entry given as parameters, its hash included (a claimed write)."""
        uow = self._uow
        uow.execute(uow.sql.audit_insert, params, write=True)

    def links(self, lead_id: str | None) -> Iterator[AuditLink]:
        """Yield the entries of one lead's stream (or of every stream) with their hashes.

        Read in pages of LINK_PAGE by position, so a trail of any length takes bounded
        memory; in a SNAPSHOT unit every page sees the same trail.
        """
        uow = self._uow
        sql = uow.sql.audit_links if lead_id is None else uow.sql.audit_links_of_lead
        audit = uow.rows.audit
        params: dict[str, Any] = {"lead_id": lead_id, "after": 0, "limit": LINK_PAGE}
        while rows := uow.execute(sql, params).fetchall():
            for row in rows:
                yield AuditLink(int(row[0]), audit(row, 1), row[10])
            if len(rows) < LINK_PAGE:
                return
            params["after"] = int(rows[-1][0])

    def heads(self, lead_id: str | None) -> Mapping[str, str | None]:
        """Return the last hash of one lead's stream (or of every stream), by stream."""
        uow = self._uow
        heads: dict[str, str | None] = {}
        if lead_id is not None:
            found = uow.execute(uow.sql.lead_head_of, {"lead_id": lead_id}).fetchall()
        else:
            found = uow.execute(uow.sql.lead_heads, {}).fetchall()
            for name, head in uow.execute(uow.sql.stream_heads, {}).fetchall():
                heads[name] = head
        for found_id, head in found:
            heads[stream_of(found_id)] = head
        return heads

    def for_lead(self, lead_id: str) -> Sequence[AuditEntry]:
        """Return every entry of one lead, oldest first."""
        uow = self._uow
        cursor = uow.execute(uow.sql.audit_for_lead, {"lead_id": lead_id})
        return [uow.rows.audit(row) for row in cursor.fetchall()]

    def list(
        self, *, action: AuditAction | None, lead_id: str | None, limit: int, after: int | None
    ) -> Page[AuditEntry]:
        """Return one page of entries, oldest first, after the position ``after``."""
        uow = self._uow
        sql = uow.sql.audit_list(
            action=action is not None, lead=lead_id is not None, after=after is not None
        )
        params = {
            "limit": limit + 1,
            "action": None if action is None else action.value,
            "lead_id": lead_id,
            "after": after,
        }
        found = uow.execute(sql, params).fetchall()
        items = [uow.rows.audit(row, 1) for row in found[:limit]]
        if len(found) <= limit:
            return Page(items, None)
        return Page(items, encode_cursor(found[limit - 1][0]))


class SqlSequences:
    """Gapless named counters, one row each, advanced inside the caller's transaction."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        """Return the counter's next value (1 for a new counter)."""
        self._uow.claim_write()
        return self.take(name, 1)

    def reserve(self, name: str, count: int) -> range:
        """Return a block of ``count`` consecutive values, taken at once."""
        if count < 1:
            raise errors.invalid_field("count", "must be at least 1")
        self._uow.claim_write()
        last = self.take(name, count)
        return range(last - count + 1, last + 1)

    def take(self, name: str, count: int) -> int:
        """Advance the counter by ``count`` and return its new value (a claimed write)."""
        uow = self._uow
        return int(uow.one(uow.sql.counter_add, {"name": name, "count": count}, write=True)[0])

    def current(self, name: str) -> int:
        """Return the last value handed out (0 for a new counter)."""
        uow = self._uow
        row = uow.execute(uow.sql.counter_get, {"name": name}).fetchone()
        return 0 if row is None else int(row[0])

    def raise_to(self, name: str, value: int) -> int:
        """Raise the counter to at least ``value`` (never lower it); return the result."""
        uow = self._uow
        uow.claim_write()
        params = {"name": name, "value": max(value, 0)}
        return int(uow.one(uow.sql.counter_raise, params, write=True)[0])


def _after(params: dict[str, Any], after: tuple[datetime, str] | None, uow: SqlUnitOfWork) -> None:
    """Add the keyset position (created_at, id) to a page query's parameters."""
    if after is not None:
        params["after_at"] = uow.rows.timestamp(after[0])
        params["after_id"] = after[1]


def _time_page(found: list[T], limit: int, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """Return the first ``limit`` of ``limit + 1`` rows, with a cursor if there are more."""
    if len(found) <= limit:
        return Page(found, None)
    items = found[:limit]
    last_at, last_id = key(items[-1])
    return Page(items, encode_cursor(last_at.isoformat(), last_id))
