"""Loading the acting user and what it may see, shared by every service."""

from __future__ import annotations

from leadcore.domain import errors
from leadcore.domain.leads import Lead
from leadcore.domain.users import ActorGuard, Permission, User, authorize
from leadcore.domain.validation import plausible_id
from leadcore.ports.unit_of_work import UnitOfWork


def guard_for(actor_id: object, permission: Permission) -> ActorGuard:
    """Return a guard for ``actor_id``; an id that cannot exist is UNAUTHORIZED at once."""
    checked = plausible_id(actor_id)
    if checked is None:
        raise errors.unauthorized(actor_id)
    return ActorGuard(checked, permission)


def load_actor(uow: UnitOfWork, actor_id: object, permission: Permission) -> User:
    """Return the actor if it exists, is active and holds ``permission``; raise otherwise."""
    guard = guard_for(actor_id, permission)
    return authorize(actor_id, uow.users.get(guard.actor_id), permission)


def load_actor_and_lead(
    uow: UnitOfWork, actor_id: object, lead_id: object, permission: Permission
) -> tuple[User, Lead | None]:
    """Return the checked actor and the lead (None if absent), in one read where possible."""
    guard = guard_for(actor_id, permission)
    checked = plausible_id(lead_id)
    if checked is None:
        return guard.check(uow.users.get(guard.actor_id)), None
    actor, lead = uow.leads.get_with_actor(checked, guard.actor_id)
    return guard.check(actor), lead


def can_see(actor: User, lead: Lead) -> bool:
    """Say whether ``actor`` may read ``lead``: all of them, or the ones assigned to it."""
    if actor.may(Permission.READ_ALL_LEADS):
        return True
    return actor.may(Permission.READ_ASSIGNED_LEADS) and lead.assessor_id == actor.id


def visible(actor: User, lead: Lead | None, lead_id: object) -> Lead:
    """Return ``lead`` if it exists and ``actor`` may see it; LEAD_NOT_FOUND otherwise.

    An assessor asking for a lead that is not theirs learns nothing, not even that it exists.
    """
    if lead is None or not can_see(actor, lead):
        raise errors.lead_not_found(lead_id)
    return lead
