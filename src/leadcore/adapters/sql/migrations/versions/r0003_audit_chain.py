"""Tamper-evident audit: a hash per entry, chained per stream, and the streams' heads.

Existing entries are chained here, in position order, so ``verify`` covers the whole
history: no entry is left without a hash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from leadcore.domain.audit import (
    USERS_STREAM,
    AuditAction,
    AuditEntry,
    EntityType,
    entry_hash,
    stream_of,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    """Add the hash and head columns and the audit_streams table; chain existing entries."""
    op.add_column("leads", sa.Column("audit_head", sa.Text(), nullable=True))
    op.add_column("audit_entries", sa.Column("hash", sa.Text(), nullable=True))
    op.create_table(
        "audit_streams",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("head", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_audit_streams"),
    )
    _chain_existing(op.get_bind())


def _chain_existing(connection: sa.Connection) -> None:
    heads: dict[str, str] = {}
    select = sa.text(
        "SELECT position, id, at, actor_id, action, lead_id, entity_type, entity_id, old, new"
        " FROM audit_entries WHERE position > :after ORDER BY position LIMIT :limit"
    )
    set_hash = sa.text("UPDATE audit_entries SET hash = :hash WHERE position = :position")
    after = 0
    while rows := connection.execute(select, {"after": after, "limit": _BATCH}).fetchall():
        updates = []
        for row in rows:
            entry = _entry(row[1:])
            stream = stream_of(entry.lead_id)
            heads[stream] = entry_hash(heads.get(stream, ""), entry)
            updates.append({"hash": heads[stream], "position": row[0]})
        connection.execute(set_hash, updates)
        after = rows[-1][0]
    for stream, head in heads.items():
        if stream == USERS_STREAM:
            connection.execute(
                sa.text("INSERT INTO audit_streams (name, head) VALUES (:name, :head)"),
                {"name": stream, "head": head},
            )
    lead_heads = [
        {"head": head, "id": stream.removeprefix("lead:")}
        for stream, head in heads.items()
        if stream != USERS_STREAM
    ]
    if lead_heads:
        connection.execute(
            sa.text("UPDATE leads SET audit_head = :head WHERE id = :id"), lead_heads
        )
    # A lead without entries (none should exist) starts its stream empty.
    connection.execute(sa.text("UPDATE leads SET audit_head = '' WHERE audit_head IS NULL"))


def _entry(row: Any) -> AuditEntry:
    """Return an entry read as the adapters read it (SQLite: text time stamps and JSON)."""
    entry_id, at, actor_id, action, lead_id, entity_type, entity_id, old, new = row
    return AuditEntry(
        entry_id,
        datetime.fromisoformat(at) if isinstance(at, str) else at,
        actor_id,
        AuditAction(action),
        lead_id,
        EntityType(entity_type),
        entity_id,
        json.loads(old) if isinstance(old, str) else old,
        json.loads(new) if isinstance(new, str) else new,
    )


def downgrade() -> None:
    """Drop what this revision added."""
    op.drop_table("audit_streams")
    op.drop_column("audit_entries", "hash")
    op.drop_column("leads", "audit_head")
