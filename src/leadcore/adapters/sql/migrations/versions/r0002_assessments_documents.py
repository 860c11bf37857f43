"""Questionnaires, assessments with their answers as rows, document metadata.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key() -> sa.types.TypeEngine[Any]:
    return sa.Text(collation="C").with_variant(sa.Text(), "sqlite")


def _timestamp() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    """Create the questionnaire, assessment, answer and document tables."""
    op.create_table(
        "questionnaires",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "questions", postgresql.JSONB().with_variant(sa.Text(), "sqlite"), nullable=False
        ),
        sa.Column("published_by", _key(), nullable=False),
        sa.Column("published_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_questionnaires"),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name="fk_questionnaires_published_by_users"
        ),
    )
    op.create_table(
        "assessments",
        sa.Column("id", _key(), nullable=False),
        sa.Column("lead_id", _key(), nullable=False),
        sa.Column("assessor_id", _key(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("submitted_at", _timestamp(), nullable=True),
        sa.Column("decided_by", _key(), nullable=True),
        sa.Column("decided_at", _timestamp(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
        sa.UniqueConstraint("lead_id", "revision", name="uq_assessments_lead_id_revision"),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_assessments_lead_id_leads"),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["users.id"], name="fk_assessments_assessor_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version"],
            ["questionnaires.version"],
            name="fk_assessments_questionnaire_version_questionnaires",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name="fk_assessments_decided_by_users"
        ),
        sa.CheckConstraint(
            "status IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED')",
            name="ck_assessments_status",
        ),
        sa.CheckConstraint("version >= 1", name="ck_assessments_version"),
    )
    op.create_table(
        "answers",
        sa.Column("assessment_id", _key(), nullable=False),
        sa.Column("question_id", _key(), nullable=False),
        sa.Column("lead_id", _key(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", "question_id", name="pk_answers"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name="fk_answers_assessment_id_assessments"
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_answers_lead_id_leads"),
    )
    op.create_index("ix_answers_question_id_lead_id", "answers", ["question_id", "lead_id"])
    op.create_table(
        "documents",
        sa.Column("id", _key(), nullable=False),
        sa.Column("lead_id", _key(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("uploaded_by", _key(), nullable=False),
        sa.Column("uploaded_at", _timestamp(), nullable=False),
        sa.Column("deleted_at", _timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name="fk_documents_lead_id_leads"),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name="fk_documents_uploaded_by_users"
        ),
    )
    op.create_index(
        "ix_documents_lead_id_uploaded_at_id", "documents", ["lead_id", "uploaded_at", "id"]
    )


def downgrade() -> None:
    """Drop the tables this revision created."""
    op.drop_table("documents")
    op.drop_table("answers")
    op.drop_table("assessments")
    op.drop_table("questionnaires")
