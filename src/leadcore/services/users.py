"""User commands: bootstrap the first admin, create, deactivate, reactivate, look up."""

from __future__ import annotations

import logging

from leadcore.domain import errors
from leadcore.domain.audit import AuditAction, AuditEntry, user_entry
from leadcore.domain.pages import Page, clamp_limit
from leadcore.domain.users import Permission, Role, User
from leadcore.domain.validation import parse_role, plausible_id, validate_new_user
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import Intent, UnitOfWorkFactory
from leadcore.services.access import load_actor
from leadcore.services.commands import command
from leadcore.services.pagination import time_key

log = logging.getLogger("leadcore.services.users")

# Taken once by the first bootstrap; a unique counter row settles a race between two.
BOOTSTRAP_COUNTER = "bootstrap-admin"


class UserService:
    """Who may act: the first admin, colleagues, deactivation."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, limiter: RateLimiter
    ) -> None:
        self.units = uow
        self._clock = clock
        self._ids = ids
        self.limiter = limiter

    @command(log, None)
    def bootstrap_admin(self, email: object, name: object) -> User:
        """Create the first ADMIN; refused with INSUFFICIENT_PERMISSIONS once any user exists."""
        address, full_name, _ = validate_new_user({"email": email, "name": name, "role": "ADMIN"})
        with self.units(Intent.WRITE) as uow:
            if uow.users.any_exist() or uow.sequences.next(BOOTSTRAP_COUNTER) != 1:
                raise errors.insufficient_permissions("", "nobody", "bootstrap a second admin")
            user = self._new_user(address, full_name, Role.ADMIN)
            uow.users.add(user)
            uow.audit.append(self._created_entry(user.id, user))
            uow.commit()
        return user

    @command(log, ActionClass.WRITE)
    def create(self, actor_id: object, data: object) -> User:
        """Create a user (ADMIN only); DUPLICATE_RESOURCE if the e-mail is taken."""
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.MANAGE_USERS)
            address, full_name, role = validate_new_user(data)
            user = self._new_user(address, full_name, role)
            uow.users.add(user)  # DUPLICATE_RESOURCE from the store if the e-mail is taken
            uow.audit.append(self._created_entry(actor.id, user))
            uow.commit()
        return user

    @command(log, ActionClass.READ)
    def get(self, actor_id: object, user_id: object) -> User:
        """Return a user: ADMIN and REVIEWER see everyone, others only themselves."""
        with self.units(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            if user_id == actor.id:
                return actor
            if not actor.may(Permission.READ_USERS):
                raise errors.insufficient_permissions(actor.id, actor.role, "read other users")
            checked = plausible_id(user_id)
            user = None if checked is None else uow.users.get(checked)
            if user is None:
                raise errors.user_not_found(user_id)
            return user

    @command(log, ActionClass.WRITE)
    def deactivate(self, actor_id: object, user_id: object) -> User:
        """Deactivate a user (ADMIN only); their later commands are refused with USER_INACTIVE."""
        return self._set_active(actor_id, user_id, active=False)

    @command(log, ActionClass.WRITE)
    def reactivate(self, actor_id: object, user_id: object) -> User:
        """Let a deactivated user act again (ADMIN only)."""
        return self._set_active(actor_id, user_id, active=True)

    @command(log, ActionClass.READ)
    def active_assessors(self, actor_id: object) -> list[User]:
        """Return every active ASSESSOR, the people a lead can be assigned to."""
        found: list[User] = []
        after = None
        with self.units(Intent.READ) as uow:
            load_actor(uow, actor_id, Permission.READ_USERS)
            while True:
                page = uow.users.list(role=Role.ASSESSOR, active=True, limit=1000, after=after)
                found.extend(page.items)
                if page.next_cursor is None:
                    return found
                after = time_key(page.next_cursor)

    @command(log, ActionClass.READ)
    def list(
        self,
        actor_id: object,
        role: object = None,
        active: object = None,
        limit: object = 50,
        after: object = None,
    ) -> Page[User]:
        """Return one page of users in creation order, optionally by role and activity."""
        with self.units(Intent.READ) as uow:
            load_actor(uow, actor_id, Permission.READ_USERS)
            wanted = None if role is None else parse_role(role)
            if active is not None and not isinstance(active, bool):
                raise errors.invalid_field("active", "must be true or false")
            return uow.users.list(
                role=wanted, active=active, limit=clamp_limit(limit, 50), after=time_key(after)
            )

    def _set_active(self, actor_id: object, user_id: object, *, active: bool) -> User:
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.MANAGE_USERS)
            checked = plausible_id(user_id)
            user = None if checked is None else uow.users.get(checked)
            if user is None:
                raise errors.user_not_found(user_id)
            if user.id == actor.id and not active:
                raise errors.invalid_field("user_id", "you cannot deactivate yourself")
            if user.is_active is active:
                return user
            changed = user.with_active(active, self._clock.now())
            if not uow.users.set_active(changed):
                return uow.users.get(user.id) or changed
            action = AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED
            uow.audit.append(
                user_entry(
                    self._ids.new_id(),
                    changed.updated_at,
                    actor.id,
                    action,
                    user.id,
                    {"is_active": not active},
                    {"is_active": active},
                )
            )
            uow.commit()
        return changed

    def _new_user(self, email: str, name: str, role: Role) -> User:
        now = self._clock.now()
        return User(
            id=self._ids.new_id(),
            email=email,
            name=name,
            role=role,
            is_active=True,
            created_at=now,
            updated_at=now,
        )

    def _created_entry(self, actor_id: str, user: User) -> AuditEntry:
        return user_entry(
            self._ids.new_id(),
            user.created_at,
            actor_id,
            AuditAction.USER_CREATED,
            user.id,
            {},
            {"email": user.email, "name": user.name, "role": user.role.value, "is_active": True},
        )
