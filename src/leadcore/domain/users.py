"""Users, their roles, and who may do what (the permission table as data)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from leadcore.domain import errors


class Role(enum.StrEnum):
    """What a user does in the workflow."""

    ADMIN = "ADMIN"
    REVIEWER = "REVIEWER"
    ASSESSOR = "ASSESSOR"


class Permission(enum.StrEnum):
    """An action class of the permission table in DESIGN.md."""

    MANAGE_USERS = "manage users"
    READ_USERS = "read users"
    WRITE_LEADS = "create, update, assign or cancel leads"
    READ_ALL_LEADS = "read every lead and its audit"
    READ_ASSIGNED_LEADS = "read the leads assigned to them"
    READ_AUDIT_LOG = "read the whole audit log"
    VERIFY_AUDIT = "re-compute the audit hash chains"
    IMPORT_LEGACY_IDS = "import leads that carry their own ids"
    REBUILD_COUNTERS = "rebuild the lead counters"
    PUBLISH_QUESTIONNAIRE = "publish a questionnaire version"
    WORK_ASSESSMENTS = "start, answer and submit the assessments of their leads"
    DECIDE_ASSESSMENTS = "approve or reject assessments"
    WRITE_ALL_DOCUMENTS = "upload and delete documents of any lead"
    WRITE_ASSIGNED_DOCUMENTS = "upload documents to the leads assigned to them"


PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    # Assessment work belongs to the assigned assessor only (DESIGN.md: ADMIN "no").
    Role.ADMIN: frozenset(Permission) - {Permission.WORK_ASSESSMENTS},
    Role.REVIEWER: frozenset(
        {
            Permission.READ_USERS,
            Permission.WRITE_LEADS,
            Permission.READ_ALL_LEADS,
            Permission.READ_ASSIGNED_LEADS,
            Permission.READ_AUDIT_LOG,
            Permission.DECIDE_ASSESSMENTS,
            Permission.WRITE_ALL_DOCUMENTS,
            Permission.WRITE_ASSIGNED_DOCUMENTS,
        }
    ),
    Role.ASSESSOR: frozenset(
        {
            Permission.READ_ASSIGNED_LEADS,
            Permission.WORK_ASSESSMENTS,
            Permission.WRITE_ASSIGNED_DOCUMENTS,
        }
    ),
}


def roles_with(permission: Permission) -> frozenset[Role]:
    """Return the roles that hold ``permission``."""
    return frozenset(role for role, perms in PERMISSIONS.items() if permission in perms)


@attrs.frozen
class User:
    """Someone who acts on leads; deactivated users may not act at all."""

    id: str
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime

    def may(self, permission: Permission) -> bool:
        """Say whether this user's role holds ``permission`` (activity is checked apart)."""
        return permission in PERMISSIONS[self.role]

    def with_active(self, active: bool, at: datetime) -> User:
        """Return this user activated or deactivated."""
        return attrs.evolve(self, is_active=active, updated_at=at)

    def to_dict(self) -> dict[str, Any]:
        """Return the user as JSON-ready data."""
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role.value,
            "is_active": self.is_active,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def authorize(actor_id: object, actor: User | None, permission: Permission) -> User:
    """Return the actor when it exists, is active and holds ``permission``; raise otherwise.

    The order is the contract: unknown (UNAUTHORIZED), then inactive (USER_INACTIVE),
    then the role (INSUFFICIENT_PERMISSIONS).
    """
    if actor is None:
        raise errors.unauthorized(actor_id)
    if not actor.is_active:
        raise errors.user_inactive(actor.id)
    if not actor.may(permission):
        raise errors.insufficient_permissions(actor.id, actor.role.value, permission.value)
    return actor


@attrs.frozen
class ActorGuard:
    """A permission check that travels with a write, so adapters run both atomically."""

    actor_id: str
    permission: Permission

    def check(self, actor: User | None) -> User:
        """Raise unless ``actor`` may act now; return it otherwise."""
        return authorize(self.actor_id, actor, self.permission)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that pass this guard."""
        return roles_with(self.permission)
