"""Every SQL statement of the SQL adapter, compiled once per dialect to the driver's SQL.

Statements are SQLAlchemy Core constructs or ``text()`` with ``:name`` parameters; a
``Statements`` object compiles them for one dialect when a database is opened (never at
import time) and the unit of work sends the compiled strings through the DBAPI cursor of
its pooled connection, so a command pays no per-statement SQLAlchemy overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import attrs
from sqlalchemy import ColumnElement, Select, Table, bindparam, insert, select, text, tuple_, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from leadcore.adapters.sql.tables import audit_entries, counters, leads, users
from leadcore.domain.leads import Lead

USER_COLUMNS = tuple(
    users.c[name]
    for name in ("id", "email", "name", "role", "is_active", "created_at", "updated_at")
)
# In the order of Lead's fields, so that a row of these columns is Lead(*row) once converted.
LEAD_COLUMNS = tuple(leads.c[field.name] for field in attrs.fields(Lead))

AUDIT_COLUMNS = tuple(
    audit_entries.c[name]
    for name in (
        "id",
        "at",
        "actor_id",
        "action",
        "lead_id",
        "entity_type",
        "entity_id",
        "old",
        "new",
    )
)
# Every lead column a save may change (id, created_by and created_at never change).
LEAD_CHANGEABLE = tuple(
    c.name for c in LEAD_COLUMNS if c.name not in ("id", "created_by", "created_at")
)

# The acting user and a lead in one round trip: one row, NULLs for whichever is missing;
# the actor's columns, then the lead's, as the lists above give them.
_ACTOR_AND_LEAD = ", ".join(
    [*(f"u.{c.name}" for c in USER_COLUMNS), *(f"l.{c.name}" for c in LEAD_COLUMNS)]
)
GET_WITH_ACTOR = (
    f"SELECT {_ACTOR_AND_LEAD} "  # noqa: S608  # column names from the table definitions
    "FROM (SELECT 1 AS one) AS anchor "
    "LEFT JOIN users AS u ON u.id = :actor_id "
    "LEFT JOIN leads AS l ON l.id = :lead_id"
)

PG_EXISTING_CINS = "SELECT cin FROM leads WHERE cin = ANY(:values)"
PG_EXISTING_IDS = "SELECT id FROM leads WHERE id = ANY(:values)"
SQLITE_EXISTING_CINS = "SELECT cin FROM leads WHERE cin IN (SELECT value FROM json_each(:values))"
SQLITE_EXISTING_IDS = "SELECT id FROM leads WHERE id IN (SELECT value FROM json_each(:values))"

COUNTER_ADD = """
INSERT INTO counters (name, value) VALUES (:name, :count)
ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value
RETURNING value
"""
COUNTER_RAISE = """
INSERT INTO counters (name, value) VALUES (:name, :value)
ON CONFLICT (name) DO UPDATE SET value = {greatest}(counters.value, excluded.value)
RETURNING value
"""

# PostgreSQL computes an entry's hash as
#   encode(sha256(convert_to(<previous hash> || chr(10) || :content, 'UTF8')), 'hex')
# (the content is ASCII-only JSON, so convert_to gives the bytes Python hashes).

# PostgreSQL: the whole create as ONE statement. The guard row gates the counter upsert,
# the lead row takes the number formatted in SQL, the audit row takes the lead's id. A
# unique violation (the CIN) aborts all of it, so no number is consumed; an empty
# result means the guard failed. The entry's hash, which covers the id, is computed here
# too: :chain_a, :chain_b, :chain_c are the canonical content around the id (chain_a
# starting with the "\n" after the empty previous hash of a new stream).
PG_CREATE_LEAD = """
WITH actor AS (
    SELECT 1 FROM users
    WHERE id = :actor_id AND is_active AND role = ANY(CAST(:roles AS text[]))
), number AS (
    INSERT INTO counters (name, value)
    SELECT :counter, 1 FROM actor
    ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
    RETURNING value
), made AS (
    SELECT :prefix || lpad(n.value::text, greatest(:width, length(n.value::text)), '0') AS id
    FROM number AS n
), lead AS (
    INSERT INTO leads (id, cin, company_name, contact_name, contact_email, contact_phone,
                       city, state, notes, status, assessor_id, created_by,
                       created_at, updated_at, version, audit_head)
    SELECT m.id, :cin, :company_name, :contact_name, :contact_email, :contact_phone,
           :city, :state, :notes, :status, NULL, :actor_id, :at, :at, 1,
           encode(sha256(convert_to(
               :chain_a || m.id || :chain_b || m.id || :chain_c, 'UTF8')), 'hex')
    FROM made AS m
    RETURNING id, audit_head
), entry AS (
    INSERT INTO audit_entries (id, at, actor_id, action, lead_id, entity_type, entity_id,
                               old, new, hash)
    SELECT :audit_id, :at, :actor_id, :action, lead.id, :entity_type, lead.id,
           CAST('{}' AS jsonb), CAST(:new AS jsonb), lead.audit_head
    FROM lead
)
SELECT id FROM lead
"""

# PostgreSQL: compare-and-set plus its audit row as ONE statement; no row back means the
# guard failed, the lead is gone or its version moved (the caller re-reads to tell).
# The new head is computed from the row's CURRENT head: after waiting for another
# writer's lock, READ COMMITTED re-evaluates the row, so the chain never forks.
PG_SAVE_LEAD = """
WITH actor AS (
    SELECT 1 FROM users
    WHERE id = :actor_id AND is_active AND role = ANY(CAST(:roles AS text[]))
), changed AS (
    UPDATE leads
    SET cin = :cin, company_name = :company_name, contact_name = :contact_name,
        contact_email = :contact_email, contact_phone = :contact_phone, city = :city,
        state = :state, notes = :notes, status = :status, assessor_id = :assessor_id,
        updated_at = :updated_at, version = :version,
        audit_head = encode(sha256(convert_to(
            leads.audit_head || chr(10) || :content, 'UTF8')), 'hex')
    WHERE id = :id AND version = :expected_version AND EXISTS (SELECT 1 FROM actor)
    RETURNING id, audit_head
), entry AS (
    INSERT INTO audit_entries (id, at, actor_id, action, lead_id, entity_type, entity_id,
                               old, new, hash)
    SELECT :audit_id, :at, :audit_actor_id, :action, :lead_id, :entity_type, :entity_id,
           CAST(:old AS jsonb), CAST(:new AS jsonb), changed.audit_head
    FROM changed
)
SELECT id FROM changed
"""


# Advance a stream's head under the lock of its row and return the new head (PostgreSQL);
# the entry is inserted afterwards in the same transaction, with that head as its hash.
PG_CHAIN_LEAD = """
UPDATE leads
SET audit_head = encode(sha256(convert_to(leads.audit_head || chr(10) || :content, 'UTF8')), 'hex')
WHERE id = :lead_id
RETURNING audit_head
"""
PG_CHAIN_STREAM = """
INSERT INTO audit_streams (name, head)
VALUES (:stream, encode(sha256(convert_to(chr(10) || :content, 'UTF8')), 'hex'))
ON CONFLICT (name) DO UPDATE
SET head = encode(sha256(convert_to(audit_streams.head || chr(10) || :content, 'UTF8')), 'hex')
RETURNING head
"""
# SQLite (one writer at a time): read the head, hash in Python, write it back.
SQLITE_SET_LEAD_HEAD = "UPDATE leads SET audit_head = :head WHERE id = :lead_id"
SQLITE_STREAM_HEAD = "SELECT head FROM audit_streams WHERE name = :stream"
SQLITE_SET_STREAM_HEAD = """
INSERT INTO audit_streams (name, head) VALUES (:stream, :head)
ON CONFLICT (name) DO UPDATE SET head = excluded.head
"""
LEAD_HEADS = "SELECT id, audit_head FROM leads"
LEAD_HEAD = "SELECT id, audit_head FROM leads WHERE id = :lead_id"
STREAM_HEADS = "SELECT name, head FROM audit_streams"


def _after(columns: tuple[ColumnElement[Any], ...]) -> ColumnElement[bool]:
    """Keyset condition: the row comes after (:after_at, :after_id) in this order."""
    return tuple_(*columns) > tuple_(bindparam("after_at"), bindparam("after_id"))


def _page(
    columns: tuple[ColumnElement[Any], ...],
    table: Table,
    filters: tuple[tuple[bool, ColumnElement[bool]], ...],
    after: bool,
) -> Select[Any]:
    """A keyset page in (created_at, id) order, with the filters that are in use."""
    query = select(*columns).where(*(condition for used, condition in filters if used))
    order = (table.c.created_at, table.c.id)
    if after:
        query = query.where(_after(order))
    return query.order_by(*order)


class Statements:
    """The SQL of one dialect, compiled once; list queries per filter shape, on first use."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._shapes: dict[Hashable, str] = {}
        self.is_postgres = dialect.name == "postgresql"

        self.user_get = self.compile(select(*USER_COLUMNS).where(users.c.id == bindparam("id")))
        self.user_by_email = self.compile(
            select(*USER_COLUMNS).where(users.c.email == bindparam("email"))
        )
        self.users_any = self.compile(text("SELECT 1 FROM users LIMIT 1"))
        self.user_insert = self.compile(insert(users))
        self.user_set_active = self.compile(
            update(users)
            .where(users.c.id == bindparam("user_id"), users.c.is_active != bindparam("active"))
            .values(is_active=bindparam("active"), updated_at=bindparam("at"))
        )

        self.lead_get = self.compile(select(*LEAD_COLUMNS).where(leads.c.id == bindparam("id")))
        self.lead_by_cin = self.compile(
            select(*LEAD_COLUMNS).where(leads.c.cin == bindparam("cin"))
        )
        self.get_with_actor = self.compile(text(GET_WITH_ACTOR))
        self._limit = self.compile(text("\nLIMIT :limit"))
        self.lead_insert = self.compile(insert(leads))
        self.lead_compare_and_set = self.compile(
            update(leads)
            .where(leads.c.id == bindparam("id"), leads.c.version == bindparam("expected_version"))
            .values({name: bindparam(name) for name in LEAD_CHANGEABLE})
        )
        # Which of a list of values are taken: an array on PostgreSQL, a JSON array on SQLite.
        if self.is_postgres:
            self.existing_cins = self.compile(text(PG_EXISTING_CINS))
            self.existing_ids = self.compile(text(PG_EXISTING_IDS))
        else:
            self.existing_cins = self.compile(text(SQLITE_EXISTING_CINS))
            self.existing_ids = self.compile(text(SQLITE_EXISTING_IDS))
        # Ids between "<prefix>-" and "<prefix>." (the next character): one index range.
        self.lead_ids_from = self.compile(
            select(leads.c.id).where(
                leads.c.id > bindparam("first"), leads.c.id < bindparam("last")
            )
        )
        columns = ", ".join(c.name for c in LEAD_COLUMNS)
        self.copy_leads = f"COPY leads ({columns}, audit_head) FROM STDIN"
        columns = ", ".join(c.name for c in AUDIT_COLUMNS)
        self.copy_audit = f"COPY audit_entries ({columns}, hash) FROM STDIN"
        self.pg_create_lead = self.compile(text(PG_CREATE_LEAD)) if self.is_postgres else ""
        self.pg_save_lead = self.compile(text(PG_SAVE_LEAD)) if self.is_postgres else ""

        self.audit_insert = self.compile(
            insert(audit_entries)
            .values({c.name: bindparam(c.name) for c in (*AUDIT_COLUMNS, audit_entries.c.hash)})
            .inline()  # the position is not needed back
        )
        self.audit_for_lead = self.compile(
            select(*AUDIT_COLUMNS)
            .where(audit_entries.c.lead_id == bindparam("lead_id"))
            .order_by(audit_entries.c.position)
        )

        # One page of links after a position; a whole trail is read page by page.
        links = select(audit_entries.c.position, *AUDIT_COLUMNS, audit_entries.c.hash).where(
            audit_entries.c.position > bindparam("after")
        )
        by_position = audit_entries.c.position
        self.audit_links = self.compile(links.order_by(by_position)) + self._limit
        self.audit_links_of_lead = (
            self.compile(
                links.where(audit_entries.c.lead_id == bindparam("lead_id")).order_by(by_position)
            )
            + self._limit
        )
        if self.is_postgres:
            self.chain_lead = self.compile(text(PG_CHAIN_LEAD))
            self.chain_stream = self.compile(text(PG_CHAIN_STREAM))
        else:
            self.set_lead_head = self.compile(text(SQLITE_SET_LEAD_HEAD))
            self.stream_head = self.compile(text(SQLITE_STREAM_HEAD))
            self.set_stream_head = self.compile(text(SQLITE_SET_STREAM_HEAD))
        self.lead_heads = self.compile(text(LEAD_HEADS))
        self.lead_head_of = self.compile(text(LEAD_HEAD))
        self.stream_heads = self.compile(text(STREAM_HEADS))

        self.counter_add = self.compile(text(COUNTER_ADD))
        self.counter_get = self.compile(
            select(counters.c.value).where(counters.c.name == bindparam("name"))
        )
        greatest = "greatest" if self.is_postgres else "max"
        self.counter_raise = self.compile(text(COUNTER_RAISE.format(greatest=greatest)))

    def compile(self, statement: ClauseElement) -> str:
        """Return ``statement`` as SQL for this dialect's driver (named parameters only).

        Every parameter must be a named ``bindparam`` the caller fills in: a value baked
        into the construct would be silently missing when the string is executed.
        """
        compiled = statement.compile(dialect=self._dialect)
        baked = [name for name, value in compiled.params.items() if value is not None]
        if baked:
            raise ValueError(f"statement has parameters with built-in values: {baked}")
        return str(compiled)

    def text(self, sql: str) -> str:
        """Return ``text(sql)`` compiled for this dialect, compiled once."""
        compiled = self._shapes.get(sql)
        if compiled is None:
            compiled = self._shapes[sql] = self.compile(text(sql))
        return compiled

    def shaped(self, key: Hashable, build: Callable[[], ClauseElement]) -> str:
        """Return the compiled SQL of a page query whose shape ``key`` names, built once.

        ``LIMIT :limit`` is appended as text: SQLAlchemy's SQLite compiler would add an
        ``OFFSET`` with a built-in value.
        """
        sql = self._shapes.get(key)
        if sql is None:
            sql = self._shapes[key] = self.compile(build()) + self._limit
        return sql

    def users_list(self, *, role: bool, active: bool, after: bool) -> str:
        """Return a page query on users, with the filters that are in use."""
        filters = (
            (role, users.c.role == bindparam("role")),
            (active, users.c.is_active == bindparam("active")),
        )
        return self.shaped(
            ("users", role, active, after), lambda: _page(USER_COLUMNS, users, filters, after)
        )

    def leads_list(self, *, status: bool, assessor: bool, after: bool) -> str:
        """Return a page query on leads, with the filters that are in use."""
        filters = (
            (status, leads.c.status == bindparam("status")),
            (assessor, leads.c.assessor_id == bindparam("assessor_id")),
        )
        return self.shaped(
            ("leads", status, assessor, after), lambda: _page(LEAD_COLUMNS, leads, filters, after)
        )

    def audit_list(self, *, action: bool, lead: bool, after: bool) -> str:
        """Return a page query on the audit trail (position first), with the filters in use."""

        def build() -> Select[Any]:
            query = select(audit_entries.c.position, *AUDIT_COLUMNS)
            if action:
                query = query.where(audit_entries.c.action == bindparam("action"))
            if lead:
                query = query.where(audit_entries.c.lead_id == bindparam("lead_id"))
            if after:
                query = query.where(audit_entries.c.position > bindparam("after"))
            return query.order_by(audit_entries.c.position)

        return self.shaped(("audit", action, lead, after), build)
