"""Users: the first admin, colleagues, e-mail uniqueness, deactivation, on every store."""

from __future__ import annotations

import pytest

from leadcore import AuditAction, EntityType, ErrorCode, LeadCore, Role, User, UserInput
from tests.conftest import People
from tests.contract.helpers import all_audit, all_users, refused


def test_bootstrap_creates_an_active_admin(core: LeadCore) -> None:
    """bootstrap_admin on an empty store returns an active ADMIN with a lower-cased e-mail."""
    admin = core.users.bootstrap_admin(email="Asha@Example.IN", name=" Asha ")
    assert (admin.role, admin.is_active, admin.email, admin.name) == (
        Role.ADMIN,
        True,
        "asha@example.in",
        "Asha",
    )
    assert core.users.get(admin.id, admin.id) == admin


def test_bootstrap_is_audited_as_done_by_the_new_admin(core: LeadCore) -> None:
    """The first admin's USER_CREATED entry names the admin as actor and entity."""
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    (entry,) = all_audit(core, admin.id)
    assert (entry.action, entry.actor_id, entry.entity_id, entry.entity_type, entry.lead_id) == (
        AuditAction.USER_CREATED,
        admin.id,
        admin.id,
        EntityType.USER,
        None,
    )
    assert entry.new == {
        "email": "a@example.in",
        "name": "Asha",
        "role": "ADMIN",
        "is_active": True,
    }


def test_a_second_bootstrap_is_refused(core: LeadCore, people: People) -> None:
    """Once any user exists, bootstrap_admin is INSUFFICIENT_PERMISSIONS and adds nobody."""
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.users.bootstrap_admin(email="other@example.in", name="Other"),
    )
    assert len(all_users(core, people.admin.id)) == 3


def test_a_refused_bootstrap_leaves_bootstrapping_open(core: LeadCore) -> None:
    """A bootstrap with a bad e-mail is INVALID_INPUT, and a good one afterwards succeeds."""
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.users.bootstrap_admin(email="nope", name="")
    )
    assert set(error.context["fields"]) == {"email", "name"}
    assert core.users.bootstrap_admin(email="a@example.in", name="Asha").role is Role.ADMIN


@pytest.mark.parametrize("role", list(Role))
def test_an_admin_creates_users_of_every_role(core: LeadCore, people: People, role: Role) -> None:
    """users.create returns an active user of the role; get returns an equal one."""
    user = core.users.create(
        people.admin.id, {"email": "new@example.in", "name": "New", "role": role.value.lower()}
    )
    assert (user.role, user.is_active, user.email) == (role, True, "new@example.in")
    assert core.users.get(people.admin.id, user.id) == user


def test_a_user_input_object_creates_a_user(core: LeadCore, people: People) -> None:
    """users.create accepts the UserInput attrs class as well as a mapping."""
    user = core.users.create(
        people.admin.id, UserInput(email="k@example.in", name="Kiran", role=Role.REVIEWER)
    )
    assert (user.email, user.name, user.role) == ("k@example.in", "Kiran", Role.REVIEWER)


def test_creating_a_user_is_audited_with_the_admin_as_actor(core: LeadCore, people: People) -> None:
    """USER_CREATED records the admin as actor and the new user's fields as new values."""
    entries = all_audit(core, people.admin.id, action="USER_CREATED")
    assert [(e.actor_id, e.entity_id) for e in entries] == [
        (people.admin.id, people.admin.id),
        (people.admin.id, people.reviewer.id),
        (people.admin.id, people.assessor.id),
    ]
    assert entries[1].new == {
        "email": "reviewer@example.in",
        "name": "Ravi",
        "role": "REVIEWER",
        "is_active": True,
    }


@pytest.mark.parametrize("role_name", ["reviewer", "assessor"])
def test_only_an_admin_may_create_users(core: LeadCore, people: People, role_name: str) -> None:
    """A reviewer or an assessor creating a user is INSUFFICIENT_PERMISSIONS; nobody is added."""
    actor: User = getattr(people, role_name)
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.users.create(
            actor.id, {"email": "x@example.in", "name": "X", "role": "ASSESSOR"}
        ),
    )
    assert len(all_users(core, people.admin.id)) == 3


@pytest.mark.parametrize(
    "email", ["reviewer@example.in", "Reviewer@Example.IN", "  REVIEWER@EXAMPLE.IN "]
)
def test_an_email_in_use_in_any_case_is_a_duplicate(
    core: LeadCore, people: People, email: str
) -> None:
    """A second user with the same e-mail in another case is DUPLICATE_RESOURCE naming it."""
    error = refused(
        ErrorCode.DUPLICATE_RESOURCE,
        lambda: core.users.create(
            people.admin.id, {"email": email, "name": "Twin", "role": "REVIEWER"}
        ),
    )
    assert error.context["email"] == "reviewer@example.in"
    assert len(all_users(core, people.admin.id)) == 3


@pytest.mark.parametrize("email", ["äbc@exämple.in", "ÄBC@EXÄMPLE.IN", "Äbc@Exämple.in"])
def test_non_ascii_emails_are_compared_case_insensitively(
    core: LeadCore, people: People, email: str
) -> None:
    """An e-mail with non-ASCII letters is taken in every case once one spelling exists."""
    core.users.create(
        people.admin.id, {"email": "äBc@exämple.in", "name": "Anna", "role": "REVIEWER"}
    )
    error = refused(
        ErrorCode.DUPLICATE_RESOURCE,
        lambda: core.users.create(
            people.admin.id, {"email": email, "name": "Twin", "role": "REVIEWER"}
        ),
    )
    assert error.context == {"email": "äbc@exämple.in"}


def test_a_new_user_with_bad_fields_names_each_one(core: LeadCore, people: People) -> None:
    """users.create with a bad e-mail, blank name and unknown role reports all three."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.users.create(people.admin.id, {"email": "x", "name": "", "role": "KING"}),
    )
    assert set(error.context["fields"]) == {"email", "name", "role"}


def test_deactivation_is_audited_with_old_and_new_activity(core: LeadCore, people: People) -> None:
    """deactivate returns the user inactive and writes USER_DEACTIVATED by the admin."""
    user = core.users.deactivate(people.admin.id, people.reviewer.id)
    assert user.is_active is False
    assert core.users.get(people.admin.id, people.reviewer.id) == user
    (entry,) = all_audit(core, people.admin.id, action="USER_DEACTIVATED")
    assert (entry.actor_id, entry.entity_id, entry.lead_id, entry.old, entry.new) == (
        people.admin.id,
        people.reviewer.id,
        None,
        {"is_active": True},
        {"is_active": False},
    )


def test_reactivation_is_audited_and_lets_the_user_act_again(
    core: LeadCore, people: People
) -> None:
    """reactivate writes USER_REACTIVATED; the user's commands succeed once more."""
    core.users.deactivate(people.admin.id, people.reviewer.id)
    user = core.users.reactivate(people.admin.id, people.reviewer.id)
    assert user.is_active is True
    (entry,) = all_audit(core, people.admin.id, action="USER_REACTIVATED")
    assert (entry.actor_id, entry.old, entry.new) == (
        people.admin.id,
        {"is_active": False},
        {"is_active": True},
    )
    assert core.leads.list(people.reviewer.id).items == []


def test_deactivating_an_inactive_user_changes_nothing(core: LeadCore, people: People) -> None:
    """A second deactivate returns the user as it is and writes no entry."""
    first = core.users.deactivate(people.admin.id, people.reviewer.id)
    second = core.users.deactivate(people.admin.id, people.reviewer.id)
    assert second == first
    assert len(all_audit(core, people.admin.id, action="USER_DEACTIVATED")) == 1


def test_reactivating_an_active_user_changes_nothing(core: LeadCore, people: People) -> None:
    """reactivate of an active user returns it unchanged and writes no entry."""
    assert core.users.reactivate(people.admin.id, people.reviewer.id) == people.reviewer
    assert all_audit(core, people.admin.id, action="USER_REACTIVATED") == []


def test_an_admin_may_not_deactivate_themself(core: LeadCore, people: People) -> None:
    """Deactivating oneself is INVALID_INPUT naming user_id; the admin stays active."""
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.users.deactivate(people.admin.id, people.admin.id)
    )
    assert set(error.context["fields"]) == {"user_id"}
    assert core.users.get(people.admin.id, people.admin.id).is_active


@pytest.mark.parametrize("user_id", ["no-such-user", "", "x" * 100_000, None])
def test_deactivating_an_unknown_user_is_user_not_found(
    core: LeadCore, people: People, user_id: object
) -> None:
    """An id no user has (or that no user could have) is USER_NOT_FOUND."""
    refused(ErrorCode.USER_NOT_FOUND, lambda: core.users.deactivate(people.admin.id, user_id))


def test_active_assessors_lists_only_active_assessors(
    core: LeadCore, people: People, assessor2: User
) -> None:
    """Reviewers and admins are not listed, nor a deactivated assessor."""
    core.users.deactivate(people.admin.id, assessor2.id)
    assert core.users.active_assessors(people.reviewer.id) == [people.assessor]


def test_a_reactivated_assessor_is_listed_again(
    core: LeadCore, people: People, assessor2: User
) -> None:
    """After deactivate and reactivate the assessor is among the active ones again."""
    core.users.deactivate(people.admin.id, assessor2.id)
    core.users.reactivate(people.admin.id, assessor2.id)
    assert {u.id for u in core.users.active_assessors(people.admin.id)} == {
        people.assessor.id,
        assessor2.id,
    }


def test_active_assessors_is_empty_without_assessors(core: LeadCore) -> None:
    """With only an admin there is nobody to assign."""
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    assert core.users.active_assessors(admin.id) == []


def test_an_assessor_may_not_list_assessors(core: LeadCore, people: People) -> None:
    """active_assessors is for staff: an assessor gets INSUFFICIENT_PERMISSIONS."""
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.users.active_assessors(people.assessor.id),
    )


def test_anyone_may_read_themself(core: LeadCore, people: People) -> None:
    """users.get of one's own id works for every role."""
    assert core.users.get(people.assessor.id, people.assessor.id) == people.assessor


def test_an_assessor_may_not_read_other_users(core: LeadCore, people: People) -> None:
    """An assessor asking for a colleague is INSUFFICIENT_PERMISSIONS."""
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.users.get(people.assessor.id, people.reviewer.id),
    )


def test_reading_an_unknown_user_is_user_not_found(core: LeadCore, people: People) -> None:
    """users.get of an id nobody has is USER_NOT_FOUND."""
    refused(ErrorCode.USER_NOT_FOUND, lambda: core.users.get(people.reviewer.id, "nobody"))


def test_users_list_filters_by_role_and_activity(
    core: LeadCore, people: People, assessor2: User
) -> None:
    """users.list(role=..., active=...) returns the matching users in creation order."""
    core.users.deactivate(people.admin.id, assessor2.id)
    assessors = core.users.list(people.reviewer.id, role="ASSESSOR").items
    assert [u.id for u in assessors] == [people.assessor.id, assessor2.id]
    inactive = core.users.list(people.reviewer.id, active=False).items
    assert [u.id for u in inactive] == [assessor2.id]


def test_users_list_pages_through_everyone(core: LeadCore, people: People, assessor2: User) -> None:
    """Pages of two cover all four users once, in creation order."""
    first = core.users.list(people.admin.id, limit=2)
    second = core.users.list(people.admin.id, limit=2, after=first.next_cursor)
    assert second.next_cursor is None
    assert [u.id for u in [*first.items, *second.items]] == [
        people.admin.id,
        people.reviewer.id,
        people.assessor.id,
        assessor2.id,
    ]


@pytest.mark.parametrize(("field", "value"), [("active", "yes"), ("role", "KING")])
def test_users_list_refuses_a_bad_filter(
    core: LeadCore, people: People, field: str, value: str
) -> None:
    """A filter that is not a role or a boolean is INVALID_INPUT naming it."""
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.users.list(people.admin.id, **{field: value})
    )
    assert set(error.context["fields"]) == {field}
