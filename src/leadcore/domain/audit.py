"""Audit entries: who changed what, when, with the old and new values of each changed field."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
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


# --- The tamper-evident chain -------------------------------------------------------
#
# Every entry carries ``hash = sha256(prev + "\n" + content)``, where ``prev`` is the hash
# of the previous entry of the same stream ("" for a stream's first entry) and ``content``
# is the canonical JSON text of the entry. A lead's stream is the entries whose lead_id
# is that lead; the users stream is the entries with no lead. Editing, deleting or
# reordering a stored entry changes some link, which ``verify_chains`` finds.

USERS_STREAM = "users"


def stream_of(lead_id: str | None) -> str:
    """Return the name of the stream an entry with this lead_id belongs to."""
    return USERS_STREAM if lead_id is None else f"lead:{lead_id}"


# The canonical JSON pieces, made by the C encoders (a create computes one per lead).
_string = json.encoder.encode_basestring_ascii
_document = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode


def canonical_json(values: Mapping[str, Any]) -> str:
    """Return ``values`` as compact, key-sorted, ASCII-only JSON text (an entry's old/new)."""
    if not values:
        return "{}"  # every LEAD_CREATED entry's old values: no encoder call
    return _document(values if type(values) is dict else dict(values))


def _pieces(
    action: AuditAction,
    actor_id: str,
    at: datetime,
    entity_type: EntityType,
    entry_id: str,
    new_json: str,
    old_json: str,
) -> tuple[str, str, str]:
    """Return the content around the encoded ``entity_id`` and ``lead_id``, in key order.

    The keys are in sorted order, as ``json.dumps(..., sort_keys=True)`` would put them;
    the time stamp is in UTC with microseconds, as every store reads it back.
    """
    stamp = (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat(timespec="microseconds")
    head = (
        f'{{"action":{_string(action.value)},"actor_id":{_string(actor_id)},'
        f'"at":{_string(stamp)},"entity_id":'
    )
    middle = f',"entity_type":{_string(entity_type.value)},"id":{_string(entry_id)},"lead_id":'
    tail = f',"new":{new_json},"old":{old_json}}}'
    return head, middle, tail


def canonical_content(entry: AuditEntry) -> str:
    """Return the entry's fields as compact, key-sorted, ASCII-only JSON text."""
    head, middle, tail = _pieces(
        entry.action,
        entry.actor_id,
        entry.at,
        entry.entity_type,
        entry.id,
        canonical_json(entry.new),
        canonical_json(entry.old),
    )
    lead = "null" if entry.lead_id is None else _string(entry.lead_id)
    return head + _string(entry.entity_id) + middle + lead + tail


def created_content_around_id(
    entry_id: str, at: datetime, actor_id: str, new_json: str
) -> tuple[str, str, str]:
    """Return the canonical content of a LEAD_CREATED entry as the text around its lead id.

    The content is ``a + id + b + id + c`` (the id is both ``entity_id`` and ``lead_id``):
    a store that makes the id in SQL assembles the text there. ``new_json`` is
    ``canonical_json`` of the entry's new values; the id must need no JSON escaping (lead
    ids are ASCII letters, digits and ``-``).
    """
    head, middle, tail = _pieces(
        AuditAction.LEAD_CREATED, actor_id, at, EntityType.LEAD, entry_id, new_json, "{}"
    )
    return head + '"', '"' + middle + '"', '"' + tail


def chain_hash(previous: str, content: str) -> str:
    """Return the hex SHA-256 of ``previous + "\\n" + content``."""
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def entry_hash(previous: str, entry: AuditEntry) -> str:
    """Return the hash of ``entry`` chained after ``previous``."""
    return chain_hash(previous, canonical_content(entry))


@attrs.frozen
class AuditLink:
    """One stored entry with its position in the trail and its stored hash."""

    position: int
    entry: AuditEntry
    hash: str | None


@attrs.frozen
class ChainReport:
    """The outcome of re-computing the chains: ``ok``, or where the first break is."""

    ok: bool
    checked: int
    stream: str | None = None
    position: int | None = None
    entry_id: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return attrs.asdict(self)


def verify_chains(links: Iterable[AuditLink], heads: Mapping[str, str | None]) -> ChainReport:
    """Re-compute every stream's chain over ``links`` (in position order) against ``heads``.

    ``heads`` maps each stream to the hash its row says the stream's last entry has, read
    before the links. ``audit.verify`` reads both in one snapshot; a caller without one
    may see entries appended in between, which follow the head, so each head need only
    be the hash of some entry of its stream, or "" for a stream with no entry. A stream
    missing from ``heads`` is checked link by link.
    """
    last: dict[str, str] = {}
    reached: set[str] = set()
    checked = 0
    for link in links:
        stream = stream_of(link.entry.lead_id)
        expected = entry_hash(last.get(stream, ""), link.entry)
        if link.hash != expected:
            reason = (
                "the entry has no hash"
                if link.hash is None
                else "the hash does not match the entry and the one before it"
            )
            return ChainReport(
                ok=False,
                checked=checked,
                stream=stream,
                position=link.position,
                entry_id=link.entry.id,
                reason=reason,
            )
        last[stream] = expected
        if heads.get(stream) == expected:
            reached.add(stream)
        checked += 1
    for stream, head in heads.items():
        if stream in reached or (head == "" and stream not in last):
            continue
        return ChainReport(
            ok=False,
            checked=checked,
            stream=stream,
            reason="the stream's head is the hash of none of its entries",
        )
    return ChainReport(ok=True, checked=checked)
