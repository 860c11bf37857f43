"""Initial schema: users, leads, counters, audit entries.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _key() -> sa.types.TypeEngine[Any]:
    # Ids compare byte by byte on PostgreSQL whatever the locale, as on SQLite.
    return sa.Text(collation="C").with_variant(sa.Text(), "sqlite")


def _timestamp() -> sa.types.TypeEngine[Any]:
    # timestamptz on PostgreSQL; fixed-width ISO-8601 UTC text on SQLite.
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return postgresql.JSONB().with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    """Create the four tables with their constraints and the list indexes."""
    op.create_table(
        "users",
        sa.Column("id", _key(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.CheckConstraint("role IN ('ADMIN', 'REVIEWER', 'ASSESSOR')", name="ck_users_role"),
    )
    op.create_index("ix_users_created_at_id", "users", ["created_at", "id"])

    op.create_table(
        "leads",
        sa.Column("id", _key(), nullable=False),
        sa.Column("cin", sa.Text(), nullable=False),
        sa.Column("company_name", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("contact_phone", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("assessor_id", _key(), nullable=True),
        sa.Column("created_by", _key(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
        sa.UniqueConstraint("cin", name="uq_leads_cin"),
        sa.ForeignKeyConstraint(["assessor_id"], ["users.id"], name="fk_leads_assessor_id_users"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_leads_created_by_users"),
        sa.CheckConstraint(
            "status IN ('NEW', 'ASSIGNED', 'IN_PROGRESS', 'SUBMITTED', 'COMPLETED', 'CANCELLED')",
            name="ck_leads_status",
        ),
        sa.CheckConstraint("version >= 1", name="ck_leads_version"),
    )
    op.create_index("ix_leads_status_created_at_id", "leads", ["status", "created_at", "id"])
    op.create_index(
        "ix_leads_assessor_id_created_at_id", "leads", ["assessor_id", "created_at", "id"]
    )
    op.create_index("ix_leads_created_at_id", "leads", ["created_at", "id"])

    op.create_table(
        "counters",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_counters"),
        sa.CheckConstraint("value >= 0", name="ck_counters_value"),
    )

    op.create_table(
        "audit_entries",
        # Order of insertion; on SQLite an INTEGER PRIMARY KEY (the rowid).
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("id", _key(), nullable=False),
        sa.Column("at", _timestamp(), nullable=False),
        sa.Column("actor_id", _key(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("lead_id", _key(), nullable=True),
        sa.Column("entity_type", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("old", _json(), nullable=False),
        sa.Column("new", _json(), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_audit_entries"),
        sa.UniqueConstraint("id", name="uq_audit_entries_id"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_audit_entries_actor_id_users"),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_audit_entries_lead_id_leads"),
    )
    op.create_index("ix_audit_entries_lead_id_position", "audit_entries", ["lead_id", "position"])
    op.create_index("ix_audit_entries_action_position", "audit_entries", ["action", "position"])


def downgrade() -> None:
    """Drop everything the upgrade created."""
    op.drop_table("audit_entries")
    op.drop_table("counters")
    op.drop_table("leads")
    op.drop_table("users")
