"""Audit entries: who changed what, when, with the old and new values of each changed field."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs


class AuditAction(enum.StrEnum):
    """What an audit entry records."""

    USER_CREATED = "USER_CREATED"
    USER_DEACTIVATED = "USER_DEACTIVATED"
    USER_REACTIVATED = "USER_REACTIVATED"
    LEAD_CREATED = "LEAD_CREATED"
    LEAD_UPDATED = "LEAD_UPDATED"
    LEAD_ASSIGNED = "LEAD_ASSIGNED"
    LEAD_STATUS_UPDATED = "LEAD_STATUS_UPDATED"
    ASSESSMENT_CREATED = "ASSESSMENT_CREATED"
    ASSESSMENT_UPDATED = "ASSESSMENT_UPDATED"
    ASSESSMENT_SUBMITTED = "ASSESSMENT_SUBMITTED"
    ASSESSMENT_APPROVED = "ASSESSMENT_APPROVED"
    ASSESSMENT_REJECTED = "ASSESSMENT_REJECTED"
    DOCUMENT_UPLOADED = "DOCUMENT_UPLOADED"
    DOCUMENT_DELETED = "DOCUMENT_DELETED"
    QUESTIONNAIRE_PUBLISHED = "QUESTIONNAIRE_PUBLISHED"


class EntityType(enum.StrEnum):
    """The kind of thing an audit entry is about."""

    USER = "user"
    LEAD = "lead"
    ASSESSMENT = "assessment"
    DOCUMENT = "document"
    QUESTIONNAIRE = "questionnaire"


@attrs.frozen
class AuditEntry:
    """One recorded change; ``old`` and ``new`` hold only the fields that changed."""

    id: str
    at: datetime
    actor_id: str
    action: AuditAction
    lead_id: str | None
    entity_type: EntityType
    entity_id: str
    old: Mapping[str, Any] = attrs.field(factory=dict)
    new: Mapping[str, Any] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "action": self.action.value,
            "lead_id": self.lead_id,
            "entity_type": self.entity_type.value,
            "entity_id": self.entity_id,
            "old": dict(self.old),
            "new": dict(self.new),
        }


def lead_entry(
    entry_id: str,
    at: datetime,
    actor_id: str,
    action: AuditAction,
    lead_id: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> AuditEntry:
    """Return an entry about a lead."""
    return AuditEntry(
        id=entry_id,
        at=at,
        actor_id=actor_id,
        action=action,
        lead_id=lead_id,
        entity_type=EntityType.LEAD,
        entity_id=lead_id,
        old=dict(old),
        new=dict(new),
    )


def user_entry(
    entry_id: str,
    at: datetime,
    actor_id: str,
    action: AuditAction,
    user_id: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> AuditEntry:
    """Return an entry about a user (it belongs to no lead)."""
    return AuditEntry(
        id=entry_id,
        at=at,
        actor_id=actor_id,
        action=action,
        lead_id=None,
        entity_type=EntityType.USER,
        entity_id=user_id,
        old=dict(old),
        new=dict(new),
    )


def lead_part_entry(
    entry_id: str,
    at: datetime,
    actor_id: str,
    action: AuditAction,
    lead_id: str,
    entity: tuple[EntityType, str],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> AuditEntry:
    """Return an entry about something of a lead (an assessment, a document).

    Its ``lead_id`` is the lead's, so the lead's history shows it.
    """
    entity_type, entity_id = entity
    return AuditEntry(
        id=entry_id,
        at=at,
        actor_id=actor_id,
        action=action,
        lead_id=lead_id,
        entity_type=entity_type,
        entity_id=entity_id,
        old=dict(old),
        new=dict(new),
    )


def questionnaire_entry(
    entry_id: str, at: datetime, actor_id: str, version: int, new: Mapping[str, Any]
) -> AuditEntry:
    """Return the QUESTIONNAIRE_PUBLISHED entry of a new version (it belongs to no lead)."""
    return AuditEntry(
        id=entry_id,
        at=at,
        actor_id=actor_id,
        action=AuditAction.QUESTIONNAIRE_PUBLISHED,
        lead_id=None,
        entity_type=EntityType.QUESTIONNAIRE,
        entity_id=str(version),
        old={},
        new=dict(new),
    )
