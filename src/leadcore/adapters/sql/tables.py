"""The current schema as SQLAlchemy tables, for building statements (migrations create it).

Time stamps are ``timestamptz`` on PostgreSQL and fixed-width ISO-8601 text in UTC on
SQLite (``2026-03-14T09:30:00.000001+00:00``), which sorts in time order and reads back
time-zone aware and equal to what was written. JSON is ``jsonb`` on PostgreSQL, text on
SQLite. ``tests/sql`` checks that the migrated database matches these definitions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

# Alembic's bookkeeping table, named so that it never meets the host application's own.
VERSION_TABLE = "leadcore_alembic_version"

ROLES = ("ADMIN", "REVIEWER", "ASSESSOR")
ASSESSMENT_STATUSES = ("DRAFT", "SUBMITTED", "APPROVED", "REJECTED")
LEAD_STATUSES = ("NEW", "ASSIGNED", "IN_PROGRESS", "SUBMITTED", "COMPLETED", "CANCELLED")


def key() -> TypeEngine[Any]:
    """Return the column type of an id: text compared byte by byte (as Python compares str).

    ``COLLATE "C"`` on PostgreSQL makes (created_at, id) order the same on every server
    and store, whatever the database's locale, and key comparisons cheaper.
    """
    return Text(collation="C").with_variant(Text(), "sqlite")


def timestamp() -> TypeEngine[Any]:
    """Return the column type of a UTC time stamp on both dialects."""
    return DateTime(timezone=True).with_variant(Text(), "sqlite")


def json_document() -> TypeEngine[Any]:
    """Return the column type of a JSON object on both dialects."""
    return JSONB().with_variant(Text(), "sqlite")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


metadata = MetaData(naming_convention=NAMING_CONVENTION)

users = Table(
    "users",
    metadata,
    Column("id", key(), primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("created_at", timestamp(), nullable=False),
    Column("updated_at", timestamp(), nullable=False),
    CheckConstraint(_one_of("role", ROLES), name="role"),
    Index(None, "created_at", "id"),
)

leads = Table(
    "leads",
    metadata,
    Column("id", key(), primary_key=True),
    Column("cin", Text, nullable=False, unique=True),
    Column("company_name", Text, nullable=False),
    Column("contact_name", Text),
    Column("contact_email", Text),
    Column("contact_phone", Text),
    Column("city", Text),
    Column("state", Text),
    Column("notes", Text),
    Column("status", Text, nullable=False),
    Column("assessor_id", key(), ForeignKey("users.id")),
    Column("created_by", key(), ForeignKey("users.id"), nullable=False),
    Column("created_at", timestamp(), nullable=False),
    Column("updated_at", timestamp(), nullable=False),
    Column("version", Integer, nullable=False),
    # The hash of the last audit entry of the lead's stream (see domain.audit). Writers
    # advance it with an UPDATE of this row, so the row lock orders the stream's entries.
    Column("audit_head", Text),
    CheckConstraint(_one_of("status", LEAD_STATUSES), name="status"),
    CheckConstraint("version >= 1", name="version"),
    Index(None, "status", "created_at", "id"),
    Index(None, "assessor_id", "created_at", "id"),
    Index(None, "created_at", "id"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
    CheckConstraint("value >= 0", name="value"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    # Order of insertion. INTEGER PRIMARY KEY is SQLite's rowid: new rows get max + 1.
    Column(
        "position",
        BigInteger().with_variant(Integer(), "sqlite"),
        Identity(always=True),
        primary_key=True,
    ),
    Column("id", key(), nullable=False, unique=True),
    Column("at", timestamp(), nullable=False),
    Column("actor_id", key(), ForeignKey("users.id"), nullable=False),
    Column("action", Text, nullable=False),
    Column("lead_id", key(), ForeignKey("leads.id")),
    Column("entity_type", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("old", json_document(), nullable=False),
    Column("new", json_document(), nullable=False),
    # sha256(previous hash of the stream + "\n" + canonical content); NULL is a break.
    Column("hash", Text),
    Index(None, "lead_id", "position"),
    Index(None, "action", "position"),
)

# The heads of the audit streams that have no row of their own: "users" (lead_id NULL).
audit_streams = Table(
    "audit_streams",
    metadata,
    Column("name", Text, primary_key=True),
    Column("head", Text, nullable=False),
)

questionnaires = Table(
    "questionnaires",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("questions", json_document(), nullable=False),
    Column("published_by", key(), ForeignKey("users.id"), nullable=False),
    Column("published_at", timestamp(), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", key(), primary_key=True),
    Column("lead_id", key(), ForeignKey("leads.id"), nullable=False),
    Column("assessor_id", key(), ForeignKey("users.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column(
        "questionnaire_version",
        Integer,
        ForeignKey("questionnaires.version"),
        nullable=False,
    ),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", timestamp(), nullable=False),
    Column("updated_at", timestamp(), nullable=False),
    Column("submitted_at", timestamp()),
    Column("decided_by", key(), ForeignKey("users.id")),
    Column("decided_at", timestamp()),
    Column("note", Text),
    Column("reason", Text),
    CheckConstraint(_one_of("status", ASSESSMENT_STATUSES), name="status"),
    CheckConstraint("version >= 1", name="version"),
    UniqueConstraint("lead_id", "revision", name="uq_assessments_lead_id_revision"),
)

# One row per answered question; the value is JSON text (a number, true/false or a string),
# so that ints, floats, booleans and strings come back as the same Python types.
answers = Table(
    "answers",
    metadata,
    Column("assessment_id", key(), ForeignKey("assessments.id"), primary_key=True),
    Column("question_id", key(), primary_key=True),
    Column("lead_id", key(), ForeignKey("leads.id"), nullable=False),
    Column("value", Text, nullable=False),
    Index(None, "question_id", "lead_id"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", key(), primary_key=True),
    Column("lead_id", key(), ForeignKey("leads.id"), nullable=False),
    Column("filename", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("uploaded_by", key(), ForeignKey("users.id"), nullable=False),
    Column("uploaded_at", timestamp(), nullable=False),
    Column("deleted_at", timestamp()),
    Index(None, "lead_id", "uploaded_at", "id"),
)
