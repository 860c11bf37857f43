"""Lead commands: create with a gapless id, read, list, update, assign, change status."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from leadcore.domain import errors
from leadcore.domain.audit import AuditAction, lead_entry
from leadcore.domain.imports import ImportReport
from leadcore.domain.lead_ids import LeadIdFormat
from leadcore.domain.leads import STATUS_COMMAND_EVENTS, Lead, LeadDraft, LeadStatus
from leadcore.domain.pages import Page, clamp_limit
from leadcore.domain.users import Permission, Role, User
from leadcore.domain.validation import (
    check_version,
    plausible_id,
    validate_lead_changes,
    validate_new_lead,
)
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.repositories import LeadQuery
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import Intent, UnitOfWork, UnitOfWorkFactory
from leadcore.services.access import guard_for, load_actor, load_actor_and_lead, visible
from leadcore.services.assessments import hand_over_draft
from leadcore.services.commands import command
from leadcore.services.imports import LeadImporter
from leadcore.services.pagination import time_key

log = logging.getLogger("leadcore.services.leads")


class LeadService:
    """Leads from creation to cancellation; every change is versioned and audited."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        id_format: LeadIdFormat,
        limiter: RateLimiter,
        import_batch_size: int = 1000,
    ) -> None:
        self.units = uow
        self._clock = clock
        self._ids = ids
        self._format = id_format
        self.limiter = limiter
        self._importer = LeadImporter(uow, clock, ids, id_format, limiter, import_batch_size)

    @command(log, ActionClass.WRITE)
    def create(self, actor_id: object, data: object) -> Lead:
        """Create a lead numbered ``LEAD-<year>-<n>``; the number, row and entry commit together."""
        guard = guard_for(actor_id, Permission.WRITE_LEADS)
        try:
            fields = validate_new_lead(data)
        except errors.LeadCoreError:
            self._check_actor(actor_id, Permission.WRITE_LEADS)  # who asks is answered first
            raise
        now = self._clock.now()
        draft = LeadDraft(fields=fields, created_by=guard.actor_id, created_at=now)
        with self.units(Intent.WRITE_ONCE) as uow:
            lead = uow.leads.create(draft, self._format.numbering(now), self._ids.new_id(), guard)
            uow.commit()
        return lead

    @command(log, ActionClass.READ)
    def get(self, actor_id: object, lead_id: object) -> Lead:
        """Return a lead the actor may see; LEAD_NOT_FOUND otherwise."""
        with self.units(Intent.READ) as uow:
            actor, lead = load_actor_and_lead(
                uow, actor_id, lead_id, Permission.READ_ASSIGNED_LEADS
            )
            return visible(actor, lead, lead_id)

    @command(log, ActionClass.READ)
    def list(
        self,
        actor_id: object,
        status: object = None,
        assessor_id: object = None,
        limit: object = 50,
        after: object = None,
    ) -> Page[Lead]:
        """Return one page of leads in creation order; assessors see only their own."""
        with self.units(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            query = LeadQuery(
                status=None if status is None else _status(status),
                assessor_id=_assessor_filter(actor, assessor_id),
                limit=clamp_limit(limit, 50),
                after=time_key(after),
            )
            return uow.leads.list(query)

    @command(log, ActionClass.WRITE)
    def update(
        self, actor_id: object, lead_id: object, data: object, expected_version: object
    ) -> Lead:
        """Change editable fields if ``expected_version`` is current; a no-op writes nothing."""
        with self.units(Intent.WRITE_ONCE) as uow:
            actor, lead, version = self._load_for_write(uow, actor_id, lead_id, expected_version)
            changes = validate_lead_changes(data)
            lead = _current(lead, lead_id, version)
            return self._save(uow, actor, lead, changes, AuditAction.LEAD_UPDATED)

    @command(log, ActionClass.WRITE)
    def assign_assessor(
        self, actor_id: object, lead_id: object, assessor_id: object, expected_version: object
    ) -> Lead:
        """Assign the lead to an active ASSESSOR (NEW or ASSIGNED -> ASSIGNED).

        An IN_PROGRESS lead keeps its status, and its DRAFT assessment, if any, goes to
        the new assessor in the same unit of work (audited ASSESSMENT_UPDATED).
        """
        with self.units(Intent.WRITE) as uow:
            actor, lead, version = self._load_for_write(uow, actor_id, lead_id, expected_version)
            checked = plausible_id(assessor_id)
            if checked is None:
                raise errors.invalid_field("assessor_id", "must be a user id")
            lead = _current(lead, lead_id, version)
            assessor = uow.users.get(checked)
            if assessor is None:
                raise errors.user_not_found(assessor_id)
            if not assessor.is_active or assessor.role is not Role.ASSESSOR:
                raise errors.invalid_field("assessor_id", "must be an active ASSESSOR")
            if lead.assessor_id == assessor.id:
                return lead
            assigned = lead.assigned(assessor.id, self._clock.now())
            values = {"assessor_id": assigned.assessor_id, "status": assigned.status}
            if lead.status is LeadStatus.IN_PROGRESS:
                return self._reassign_with_draft(uow, actor, lead, values)
            return self._save(uow, actor, lead, values, AuditAction.LEAD_ASSIGNED)

    @command(log, ActionClass.WRITE)
    def change_status(
        self, actor_id: object, lead_id: object, status: object, expected_version: object
    ) -> Lead:
        """Move the lead where no other command does (cancel); other targets are refused."""
        with self.units(Intent.WRITE_ONCE) as uow:
            actor, lead, version = self._load_for_write(uow, actor_id, lead_id, expected_version)
            target = _status(status)
            lead = _current(lead, lead_id, version)
            event = STATUS_COMMAND_EVENTS.get(target)
            if event is None:
                raise errors.invalid_transition(lead.status.value, target.value)
            moved = lead.moved(event, target, self._clock.now())
            return self._save(
                uow, actor, lead, {"status": moved.status}, AuditAction.LEAD_STATUS_UPDATED
            )

    @command(log, None, rerun=False)  # each batch is re-run on its own instead
    def import_rows(
        self, actor_id: object, rows: Iterable[object], batch_size: int | None = None
    ) -> ImportReport:
        """Import leads from any iterable of mappings, in batches; refused rows are reported.

        Each batch is one transaction: the accepted rows take one block of numbers and
        each gets its LEAD_CREATED entry. Duplicates (in the input or the store) are
        refused, so running the same input again imports nothing new. ADMIN rows may carry
        a legacy ``id`` (and ``created_at``); the counters then rise past those numbers.
        """
        return self._importer.import_rows(actor_id, rows, batch_size)

    @command(log, ActionClass.WRITE)
    def rebuild_counters(self, actor_id: object) -> dict[int, int]:
        """Raise each year's counter to the highest number in use (ADMIN); never lowers one.

        Unlike a COUNT(*) back-fill, this cannot re-issue an id when numbers have gaps.
        """
        return self._importer.rebuild_counters(actor_id)

    def _load_for_write(
        self, uow: UnitOfWork, actor_id: object, lead_id: object, expected_version: object
    ) -> tuple[User, Lead | None, int]:
        actor, lead = load_actor_and_lead(uow, actor_id, lead_id, Permission.WRITE_LEADS)
        return actor, lead, check_version(expected_version)

    def _save(
        self,
        uow: UnitOfWork,
        actor: User,
        lead: Lead,
        values: Mapping[str, Any],
        action: AuditAction,
    ) -> Lead:
        """Write the changed values with their audit entry; unchanged values write nothing."""
        old, new = lead.changes(values)
        if not new:
            return lead
        changed = lead.changed({k: values[k] for k in new}, self._clock.now())
        entry = lead_entry(
            self._ids.new_id(), changed.updated_at, actor.id, action, lead.id, old, new
        )
        uow.leads.save(changed, lead.version, entry, guard_for(actor.id, Permission.WRITE_LEADS))
        uow.commit()
        return changed

    def _reassign_with_draft(
        self, uow: UnitOfWork, actor: User, lead: Lead, values: Mapping[str, Any]
    ) -> Lead:
        """Reassign an IN_PROGRESS lead and hand its DRAFT over, then commit both.

        The lead's compare-and-set comes first: a concurrent ``start`` either committed
        before it (and its draft is handed over here) or fails its own lead check.
        """
        old, new = lead.changes(values)
        changed = lead.changed({k: values[k] for k in new}, self._clock.now())
        entry = lead_entry(
            self._ids.new_id(),
            changed.updated_at,
            actor.id,
            AuditAction.LEAD_ASSIGNED,
            lead.id,
            old,
            new,
        )
        uow.leads.save(changed, lead.version, entry, guard_for(actor.id, Permission.WRITE_LEADS))
        hand_over_draft(uow, self._ids, actor.id, changed, changed.updated_at)
        uow.commit()
        return changed

    def _check_actor(self, actor_id: object, permission: Permission) -> None:
        with self.units(Intent.READ) as uow:
            load_actor(uow, actor_id, permission)


def _current(lead: Lead | None, lead_id: object, expected_version: int) -> Lead:
    """Return the lead if it exists at ``expected_version``; refuse a stale copy."""
    if lead is None:
        raise errors.lead_not_found(lead_id)
    if lead.version != expected_version:
        raise errors.concurrent_modification("lead", lead.id, expected_version, lead.version)
    return lead


def _status(value: object) -> LeadStatus:
    if isinstance(value, LeadStatus):
        return value
    if isinstance(value, str) and value.upper() in LeadStatus.__members__:
        return LeadStatus[value.upper()]
    raise errors.invalid_field("status", "must be one of " + ", ".join(LeadStatus))


def _assessor_filter(actor: User, assessor_id: object) -> str | None:
    """An actor who may only see assigned leads always lists its own."""
    if not actor.may(Permission.READ_ALL_LEADS):
        return actor.id
    if assessor_id is None:
        return None
    checked = plausible_id(assessor_id)
    if checked is None:
        raise errors.invalid_field("assessor_id", "must be a user id")
    return checked
