"""Reading the audit trail."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from leadcore.domain import errors
from leadcore.domain.audit import AuditAction, AuditEntry, ChainReport, verify_chains
from leadcore.domain.pages import Page, clamp_limit
from leadcore.domain.users import Permission
from leadcore.domain.validation import plausible_id
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.unit_of_work import Intent, UnitOfWorkFactory
from leadcore.services.access import load_actor, load_actor_and_lead, visible
from leadcore.services.commands import command
from leadcore.services.pagination import fits_in_utc, position_key

log = logging.getLogger("leadcore.services.audit")

# Entries an export reads per statement.
EXPORT_PAGE = 1000


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
            wanted, lead = _filters(action, lead_id)
            return uow.audit.list(
                action=wanted,
                lead_id=lead,
                limit=clamp_limit(limit, 100),
                after=position_key(after),
            )

    @command(log, ActionClass.READ)
    def export(
        self,
        actor_id: object,
        action: object = None,
        lead_id: object = None,
        since: object = None,
    ) -> Iterator[AuditEntry]:
        """Return the whole trail, oldest first, as an iterator (ADMIN and REVIEWER).

        The filters are those of ``list``, plus ``since`` (an aware datetime: entries at or
        after it). Refusals are raised here; the entries are read when iterated, in pages
        inside ONE snapshot taken at the first: an export running while others write holds
        exactly what was committed when it started, which paging ``list`` cannot promise
        (positions are given at insert, so one may commit after a later one was read).
        Iterate to the end or close the iterator: until then it holds a connection (on the
        memory store, the store's lock, which other threads' commands wait for).
        """
        wanted, lead = _filters(action, lead_id)
        if since is not None and not (
            isinstance(since, datetime) and since.tzinfo is not None and fits_in_utc(since)
        ):
            raise errors.invalid_field("since", "must be a time-zone aware datetime")
        with self.units(Intent.READ) as uow:
            load_actor(uow, actor_id, Permission.READ_AUDIT_LOG)
        return self._exported(actor_id, wanted, lead, since)

    def _exported(
        self,
        actor_id: object,
        action: AuditAction | None,
        lead_id: str | None,
        since: datetime | None,
    ) -> Iterator[AuditEntry]:
        # The snapshot opens at the first next(), so an export never iterated holds nothing.
        with self.units(Intent.SNAPSHOT) as uow:
            load_actor(uow, actor_id, Permission.READ_AUDIT_LOG)  # still allowed at the start
            after: int | None = None
            while True:
                page = uow.audit.list(
                    action=action, lead_id=lead_id, limit=EXPORT_PAGE, after=after
                )
                for entry in page.items:
                    if since is None or entry.at >= since:
                        yield entry
                if page.next_cursor is None:
                    return
                after = position_key(page.next_cursor)

    @command(log, ActionClass.READ)
    def verify(self, actor_id: object, lead_id: object = None) -> ChainReport:
        """Re-compute one lead's chain, or every stream's, and report the first break (ADMIN).

        The trail is read in one snapshot, so writes that land meanwhile are not seen half.
        """
        with self.units(Intent.SNAPSHOT) as uow:
            load_actor(uow, actor_id, Permission.VERIFY_AUDIT)
            _, lead = _filters(None, lead_id)
            heads = uow.audit.heads(lead)
            return verify_chains(uow.audit.links(lead), heads)


def _filters(action: object, lead_id: object) -> tuple[AuditAction | None, str | None]:
    """Return the checked action and lead id filters of a trail query."""
    wanted = None if action is None else _action(action)
    lead = None if lead_id is None else plausible_id(lead_id)
    if lead_id is not None and lead is None:
        raise errors.invalid_field("lead_id", "must be a lead id")
    return wanted, lead


def _action(value: object) -> AuditAction:
    if isinstance(value, AuditAction):
        return value
    if isinstance(value, str) and value.upper() in AuditAction.__members__:
        return AuditAction[value.upper()]
    raise errors.invalid_field("action", "must be an audit action name")
