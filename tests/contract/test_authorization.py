"""Who may act: unknown, inactive and unauthorised actors are refused before anything else."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from leadcore import ErrorCode, Lead, LeadCore, LeadStatus, Role, User
from tests.conftest import People, lead_data
from tests.contract.helpers import refused, snapshot


@attrs.frozen
class World:
    """A core with the usual people, a second admin, a second assessor and one lead."""

    core: LeadCore
    people: People
    admin2: User
    assessor2: User
    lead: Lead


Command = Callable[[World, object], object]

# Every command of the users, leads and audit services, called as ``actor`` with valid
# arguments: if the actor may act, each one succeeds (and most change something).
COMMANDS: dict[str, Command] = {
    "users.create": lambda w, a: w.core.users.create(
        a, {"email": "new@example.in", "name": "New", "role": "REVIEWER"}
    ),
    "users.get": lambda w, a: w.core.users.get(a, w.people.reviewer.id),
    "users.list": lambda w, a: w.core.users.list(a),
    "users.deactivate": lambda w, a: w.core.users.deactivate(a, w.people.reviewer.id),
    "users.reactivate": lambda w, a: w.core.users.reactivate(a, w.people.reviewer.id),
    "users.active_assessors": lambda w, a: w.core.users.active_assessors(a),
    "leads.create": lambda w, a: w.core.leads.create(a, lead_data(2)),
    "leads.get": lambda w, a: w.core.leads.get(a, w.lead.id),
    "leads.list": lambda w, a: w.core.leads.list(a),
    "leads.update": lambda w, a: w.core.leads.update(
        a, w.lead.id, {"city": "Pune"}, expected_version=w.lead.version
    ),
    "leads.assign_assessor": lambda w, a: w.core.leads.assign_assessor(
        a, w.lead.id, w.assessor2.id, expected_version=w.lead.version
    ),
    "leads.change_status": lambda w, a: w.core.leads.change_status(
        a, w.lead.id, LeadStatus.CANCELLED, expected_version=w.lead.version
    ),
    "audit.for_lead": lambda w, a: w.core.audit.for_lead(a, w.lead.id),
    "audit.list": lambda w, a: w.core.audit.list(a),
}

# The commands a role may not run at all, from the permission table of DESIGN.md.
REFUSED_BY_ROLE: list[tuple[str, str]] = [
    ("reviewer", "users.create"),
    ("reviewer", "users.deactivate"),
    ("reviewer", "users.reactivate"),
    ("assessor", "users.create"),
    ("assessor", "users.deactivate"),
    ("assessor", "users.reactivate"),
    ("assessor", "users.list"),
    ("assessor", "users.active_assessors"),
    ("assessor", "users.get"),
    ("assessor", "leads.create"),
    ("assessor", "leads.update"),
    ("assessor", "leads.assign_assessor"),
    ("assessor", "leads.change_status"),
    ("assessor", "audit.list"),
]


@pytest.fixture
def world(core: LeadCore, people: People) -> World:
    """The cast and a NEW lead assigned to the first assessor (version 2)."""
    admin2 = core.users.create(
        people.admin.id, {"email": "admin2@example.in", "name": "Anil", "role": Role.ADMIN}
    )
    assessor2 = core.users.create(
        people.admin.id, {"email": "assessor2@example.in", "name": "Meena", "role": "ASSESSOR"}
    )
    lead = core.leads.create(people.reviewer.id, lead_data(1))
    lead = core.leads.assign_assessor(
        people.reviewer.id, lead.id, people.assessor.id, expected_version=1
    )
    return World(core, people, admin2, assessor2, lead)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_succeeds_for_an_active_admin(world: World, name: str) -> None:
    """The command table itself is sound: an active ADMIN may run each command."""
    COMMANDS[name](world, world.admin2.id)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_deactivated_actor_is_refused_on_every_command(world: World, name: str) -> None:
    """A deactivated ADMIN gets USER_INACTIVE from every command, and nothing changes."""
    world.core.users.deactivate(world.people.admin.id, world.admin2.id)
    before = snapshot(world.core, world.people.admin.id)
    error = refused(ErrorCode.USER_INACTIVE, lambda: COMMANDS[name](world, world.admin2.id))
    assert error.context == {"user_id": world.admin2.id}
    assert snapshot(world.core, world.people.admin.id) == before


@pytest.mark.parametrize("name", [name for role, name in REFUSED_BY_ROLE if role == "assessor"])
def test_a_deactivated_assessor_hears_inactive_before_permissions(world: World, name: str) -> None:
    """Inactivity is named before the role: a deactivated assessor gets USER_INACTIVE."""
    world.core.users.deactivate(world.people.admin.id, world.people.assessor.id)
    refused(ErrorCode.USER_INACTIVE, lambda: COMMANDS[name](world, world.people.assessor.id))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_unknown_actor_is_unauthorized_on_every_command(world: World, name: str) -> None:
    """An actor id no user has gets UNAUTHORIZED from every command, and nothing changes."""
    before = snapshot(world.core, world.people.admin.id)
    refused(ErrorCode.UNAUTHORIZED, lambda: COMMANDS[name](world, "0190a1b2-no-such-user"))
    assert snapshot(world.core, world.people.admin.id) == before


@pytest.mark.parametrize("actor", ["", None, 42, "x" * 100_000, "a\x00b", ["list"]])
@pytest.mark.parametrize("name", ["leads.create", "audit.list"])
def test_an_actor_id_no_user_could_have_is_unauthorized(
    world: World, name: str, actor: object
) -> None:
    """Empty, non-text, 100 KB or NUL actor ids are UNAUTHORIZED, with a short context."""
    error = refused(ErrorCode.UNAUTHORIZED, lambda: COMMANDS[name](world, actor))
    assert len(str(error.context)) < 200


@pytest.mark.parametrize(("role_name", "name"), REFUSED_BY_ROLE)
def test_a_role_without_the_permission_is_refused(world: World, role_name: str, name: str) -> None:
    """Each command outside a role's column is INSUFFICIENT_PERMISSIONS and changes nothing."""
    actor: User = getattr(world.people, role_name)
    before = snapshot(world.core, world.people.admin.id)
    refused(ErrorCode.INSUFFICIENT_PERMISSIONS, lambda: COMMANDS[name](world, actor.id))
    assert snapshot(world.core, world.people.admin.id) == before


@pytest.mark.parametrize(
    "name", [n for n in COMMANDS if ("assessor", n) not in REFUSED_BY_ROLE and n != "audit.list"]
)
def test_an_assessor_may_run_the_reading_commands_on_their_lead(world: World, name: str) -> None:
    """The assigned assessor may get, list and read the audit of their own lead."""
    COMMANDS[name](world, world.people.assessor.id)


@pytest.mark.parametrize("name", [n for n in COMMANDS if not n.startswith("users.")])
def test_a_reviewer_may_run_every_lead_and_audit_command(world: World, name: str) -> None:
    """Reviewers hold every lead and audit permission."""
    COMMANDS[name](world, world.people.reviewer.id)


# --- the priority of errors ------------------------------------------------------------

BAD_INPUT: dict[str, Command] = {
    "leads.create": lambda w, a: w.core.leads.create(a, {"cin": "nope", "colour": "red"}),
    "leads.update": lambda w, a: w.core.leads.update(
        a, w.lead.id, {"company_name": ""}, expected_version=w.lead.version
    ),
    "leads.update with a bad version": lambda w, a: w.core.leads.update(
        a, w.lead.id, {"city": "Pune"}, expected_version="two"
    ),
    "leads.assign_assessor": lambda w, a: w.core.leads.assign_assessor(
        a, w.lead.id, "", expected_version=w.lead.version
    ),
    "leads.change_status": lambda w, a: w.core.leads.change_status(
        a, w.lead.id, "BOGUS", expected_version=w.lead.version
    ),
    "leads.list": lambda w, a: w.core.leads.list(a, limit=0),
    "users.create": lambda w, a: w.core.users.create(a, {"email": "x"}),
    "audit.list": lambda w, a: w.core.audit.list(a, action="NO_SUCH_ACTION"),
}


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_bad_input_from_an_active_admin_is_invalid_input(world: World, name: str) -> None:
    """The bad-input table is sound: an active admin sending it gets INVALID_INPUT."""
    refused(ErrorCode.INVALID_INPUT, lambda: BAD_INPUT[name](world, world.admin2.id))


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_an_inactive_actor_sending_bad_input_hears_user_inactive(world: World, name: str) -> None:
    """Who asks is answered first: USER_INACTIVE, not INVALID_INPUT."""
    world.core.users.deactivate(world.people.admin.id, world.admin2.id)
    refused(ErrorCode.USER_INACTIVE, lambda: BAD_INPUT[name](world, world.admin2.id))


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_an_unknown_actor_sending_bad_input_hears_unauthorized(world: World, name: str) -> None:
    """An unknown actor with bad input is UNAUTHORIZED, not INVALID_INPUT."""
    refused(ErrorCode.UNAUTHORIZED, lambda: BAD_INPUT[name](world, "no-such-user"))


@pytest.mark.parametrize("name", ["leads.create", "leads.update", "leads.change_status"])
def test_an_assessor_sending_bad_input_hears_insufficient_permissions(
    world: World, name: str
) -> None:
    """The role is checked before the input: INSUFFICIENT_PERMISSIONS, not INVALID_INPUT."""
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: BAD_INPUT[name](world, world.people.assessor.id),
    )


def test_an_inactive_actor_with_a_stale_version_hears_user_inactive(world: World) -> None:
    """A deactivated reviewer writing with a stale version gets USER_INACTIVE."""
    world.core.users.deactivate(world.people.admin.id, world.people.reviewer.id)
    refused(
        ErrorCode.USER_INACTIVE,
        lambda: world.core.leads.update(
            world.people.reviewer.id, world.lead.id, {"city": "Pune"}, expected_version=1
        ),
    )


def test_an_inactive_actor_creating_a_duplicate_hears_user_inactive(world: World) -> None:
    """A deactivated reviewer re-using a CIN gets USER_INACTIVE, not DUPLICATE_CIN."""
    world.core.users.deactivate(world.people.admin.id, world.people.reviewer.id)
    refused(
        ErrorCode.USER_INACTIVE,
        lambda: world.core.leads.create(world.people.reviewer.id, lead_data(1)),
    )
