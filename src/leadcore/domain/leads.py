"""The Lead aggregate and its status machine (the transition table as data)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from leadcore.domain import errors


class LeadStatus(enum.StrEnum):
    """Where a lead stands in the workflow."""

    NEW = "NEW"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    SUBMITTED = "SUBMITTED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class LeadEvent(enum.StrEnum):
    """The commands that move a lead from one status to another."""

    ASSIGN = "assign"
    START = "start assessment"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


# (current status, event) -> next status. Every (from, to) pair absent here is refused.
TRANSITIONS: Mapping[tuple[LeadStatus, LeadEvent], LeadStatus] = {
    (LeadStatus.NEW, LeadEvent.ASSIGN): LeadStatus.ASSIGNED,
    (LeadStatus.ASSIGNED, LeadEvent.ASSIGN): LeadStatus.ASSIGNED,
    (LeadStatus.ASSIGNED, LeadEvent.START): LeadStatus.IN_PROGRESS,
    # Reassigning while the assessment is a DRAFT hands the draft over (issue 4).
    (LeadStatus.IN_PROGRESS, LeadEvent.ASSIGN): LeadStatus.IN_PROGRESS,
    (LeadStatus.IN_PROGRESS, LeadEvent.SUBMIT): LeadStatus.SUBMITTED,
    (LeadStatus.SUBMITTED, LeadEvent.APPROVE): LeadStatus.COMPLETED,
    (LeadStatus.SUBMITTED, LeadEvent.REJECT): LeadStatus.IN_PROGRESS,
    (LeadStatus.NEW, LeadEvent.CANCEL): LeadStatus.CANCELLED,
    (LeadStatus.ASSIGNED, LeadEvent.CANCEL): LeadStatus.CANCELLED,
    (LeadStatus.IN_PROGRESS, LeadEvent.CANCEL): LeadStatus.CANCELLED,
    (LeadStatus.SUBMITTED, LeadEvent.CANCEL): LeadStatus.CANCELLED,
}

ALLOWED_MOVES: frozenset[tuple[LeadStatus, LeadStatus]] = frozenset(
    (current, target) for (current, _event), target in TRANSITIONS.items()
)

TERMINAL: frozenset[LeadStatus] = frozenset({LeadStatus.COMPLETED, LeadStatus.CANCELLED})

# The targets change_status may reach: moves with no command of their own.
STATUS_COMMAND_EVENTS: Mapping[LeadStatus, LeadEvent] = {LeadStatus.CANCELLED: LeadEvent.CANCEL}


def can_move(current: LeadStatus, target: LeadStatus) -> bool:
    """Say whether the status machine has a move from ``current`` to ``target``."""
    return (current, target) in ALLOWED_MOVES


def next_status(current: LeadStatus, event: LeadEvent, target: LeadStatus) -> LeadStatus:
    """Return the status ``event`` leads to, refusing moves that are not in the table."""
    reached = TRANSITIONS.get((current, event))
    if reached is None or reached is not target:
        raise errors.invalid_transition(current.value, target.value)
    return reached


EDITABLE_FIELDS: tuple[str, ...] = (
    "cin",
    "company_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "city",
    "state",
    "notes",
)
REQUIRED_FIELDS: frozenset[str] = frozenset({"cin", "company_name"})


@attrs.frozen
class LeadDraft:
    """A validated new lead before the store gives it its number."""

    fields: Mapping[str, str | None]
    created_by: str
    created_at: datetime

    def to_lead(self, lead_id: str) -> Lead:
        """Return the lead this draft becomes once numbered ``lead_id``."""
        values = {name: self.fields.get(name) for name in EDITABLE_FIELDS}
        return Lead(
            id=lead_id,
            status=LeadStatus.NEW,
            assessor_id=None,
            created_by=self.created_by,
            created_at=self.created_at,
            updated_at=self.created_at,
            version=1,
            **values,  # type: ignore[arg-type]  # keys are EDITABLE_FIELDS, all str | None
        )

    def audit_values(self) -> dict[str, Any]:
        """Return the new values the LEAD_CREATED entry records (the fields that are set)."""
        values: dict[str, Any] = {
            name: value for name in EDITABLE_FIELDS if (value := self.fields.get(name)) is not None
        }
        values["status"] = LeadStatus.NEW.value
        return values


@attrs.frozen
class Lead:
    """A company to be assessed. Frozen: every change returns a new Lead, version + 1."""

    id: str
    cin: str
    company_name: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    city: str | None
    state: str | None
    notes: str | None
    status: LeadStatus
    assessor_id: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int

    def changes(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (old, new) for the entries of ``values`` that differ from this lead."""
        old: dict[str, Any] = {}
        new: dict[str, Any] = {}
        for name, value in values.items():
            current = getattr(self, name)
            if current != value:
                old[name] = _plain(current)
                new[name] = _plain(value)
        return old, new

    def changed(self, values: Mapping[str, Any], at: datetime) -> Lead:
        """Return this lead with ``values`` applied, one version later."""
        return attrs.evolve(self, **values, updated_at=at, version=self.version + 1)

    def assigned(self, assessor_id: str, at: datetime) -> Lead:
        """Return this lead assigned to ``assessor_id`` (refused where the table says so).

        A NEW or ASSIGNED lead becomes ASSIGNED; an IN_PROGRESS one stays IN_PROGRESS.
        """
        status = next_status(self.status, LeadEvent.ASSIGN, _assign_target(self.status))
        return self.changed({"assessor_id": assessor_id, "status": status}, at)

    def moved(self, event: LeadEvent, target: LeadStatus, at: datetime) -> Lead:
        """Return this lead moved to ``target`` by ``event`` (refused where the table says so)."""
        return self.changed({"status": next_status(self.status, event, target)}, at)

    def to_dict(self) -> dict[str, Any]:
        """Return the lead as JSON-ready data."""
        return {
            "id": self.id,
            "cin": self.cin,
            "company_name": self.company_name,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
            "city": self.city,
            "state": self.state,
            "notes": self.notes,
            "status": self.status.value,
            "assessor_id": self.assessor_id,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }


def _assign_target(current: LeadStatus) -> LeadStatus:
    """Return where assigning leads from ``current``; ASSIGNED where the table has no move."""
    reached = TRANSITIONS.get((current, LeadEvent.ASSIGN))
    return reached if reached is not None else LeadStatus.ASSIGNED


def _plain(value: Any) -> Any:
    """Return a JSON-ready form of a lead field's value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value
