"""Reading the audit trail."""

from __future__ import annotations

import logging

from leadcore.domain import errors
from leadcore.domain.audit import AuditAction, AuditEntry, ChainReport, verify_chains
from leadcore.domain.pages import Page, clamp_limit
from leadcore.domain.users import Permission
from leadcore.domain.validation import plausible_id
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.unit_of_work import Intent, UnitOfWorkFactory
from leadcore.services.access import load_actor, load_actor_and_lead, visible
from leadcore.services.commands import command
from leadcore.services.pagination import position_key

log = logging.getLogger("leadcore.services.audit")


class AuditService:
    """Who changed what: per lead for everyone who may see the lead, all of it for staff."""

    def __init__(self, uow: UnitOfWorkFactory, limiter: RateLimiter) -> None:
        self.units = uow
        self.limiter = limiter

    @command(log, ActionClass.READ)
    def for_lead(self, actor_id: object, lead_id: object) -> list[AuditEntry]:
        """Return every entry of a lead the actor may see, oldest first."""
        with self.units(Intent.READ) as uow:
            actor, lead = load_actor_and_lead(
                uow, actor_id, lead_id, Permission.READ_ASSIGNED_LEADS
            )
            return list(uow.audit.for_lead(visible(actor, lead, lead_id).id))

    @command(log, ActionClass.READ)
    def list(
        self,
        actor_id: object,
        action: object = None,
        lead_id: object = None,
        limit: object = 100,
        after: object = None,
    ) -> Page[AuditEntry]:
        """Return one page of the whole trail, oldest first (ADMIN and REVIEWER)."""
        with self.units(Intent.READ) as uow:
            load_actor(uow, actor_id, Permission.READ_AUDIT_LOG)
            wanted = None if action is None else _action(action)
            lead = None if lead_id is None else plausible_id(lead_id)
            if lead_id is not None and lead is None:
                raise errors.invalid_field("lead_id", "must be a lead id")
            return uow.audit.list(
                action=wanted,
                lead_id=lead,
                limit=clamp_limit(limit, 100),
                after=position_key(after),
            )

    @command(log, ActionClass.READ)
    def verify(self, actor_id: object, lead_id: object = None) -> ChainReport:
        """Re-compute one lead's chain, or every stream's, and report the first break (ADMIN).

        The trail is read in one snapshot, so writes that land meanwhile are not seen half.
        """
        with self.units(Intent.SNAPSHOT) as uow:
            load_actor(uow, actor_id, Permission.VERIFY_AUDIT)
            lead = None if lead_id is None else plausible_id(lead_id)
            if lead_id is not None and lead is None:
                raise errors.invalid_field("lead_id", "must be a lead id")
            heads = uow.audit.heads(lead)
            return verify_chains(uow.audit.links(lead), heads)


def _action(value: object) -> AuditAction:
    if isinstance(value, AuditAction):
        return value
    if isinstance(value, str) and value.upper() in AuditAction.__members__:
        return AuditAction[value.upper()]
    raise errors.invalid_field("action", "must be an audit action name")
