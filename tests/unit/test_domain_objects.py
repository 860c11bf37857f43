"""Leads, users and audit entries as values: frozen, versioned, JSON-ready."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from leadcore import AuditAction, EntityType, ErrorCode, LeadCoreError, LeadStatus, Role, User
from leadcore.domain.audit import (
    canonical_content,
    canonical_json,
    created_content_around_id,
    lead_entry,
    user_entry,
)
from leadcore.domain.leads import Lead, LeadDraft
from leadcore.domain.users import PERMISSIONS, ActorGuard, Permission, authorize, roles_with

AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)
LEAD_FIELDS = [
    "id",
    "cin",
    "company_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "city",
    "state",
    "notes",
    "status",
    "assessor_id",
    "created_by",
    "created_at",
    "updated_at",
    "version",
]


def a_draft(**fields: str | None) -> LeadDraft:
    """Return a validated draft with the two required fields and ``fields``."""
    values: dict[str, str | None] = {"cin": "U72900KA2015PTC012345", "company_name": "Acme"}
    values.update(fields)
    return LeadDraft(fields=values, created_by="u-rev", created_at=AT)


def a_user(role: Role = Role.REVIEWER, *, active: bool = True) -> User:
    """Return a user with ``role``."""
    return User("u-1", "r@acme.in", "Ravi", role, active, AT, AT)


def test_a_draft_becomes_a_new_lead_at_version_1() -> None:
    """to_lead gives status NEW, no assessor, version 1, created_at == updated_at."""
    lead = a_draft(city="Pune").to_lead("LEAD-2026-0001")
    assert (lead.id, lead.status, lead.assessor_id, lead.version) == (
        "LEAD-2026-0001",
        LeadStatus.NEW,
        None,
        1,
    )
    assert (lead.created_at, lead.updated_at, lead.created_by, lead.city) == (
        AT,
        AT,
        "u-rev",
        "Pune",
    )
    assert lead.notes is None


def test_a_drafts_audit_values_are_the_fields_that_are_set_and_the_status() -> None:
    """LEAD_CREATED records every field given a value, plus status NEW."""
    assert a_draft(city="Pune", notes=None).audit_values() == {
        "cin": "U72900KA2015PTC012345",
        "company_name": "Acme",
        "city": "Pune",
        "status": "NEW",
    }


def test_changes_lists_only_the_values_that_differ() -> None:
    """Lead.changes returns (old, new) of the differing fields, enums as their values."""
    lead = a_draft(city="Pune").to_lead("LEAD-2026-0001")
    old, new = lead.changes(
        {"city": "Pune", "company_name": "Acme Tools", "status": LeadStatus.CANCELLED}
    )
    assert old == {"company_name": "Acme", "status": "NEW"}
    assert new == {"company_name": "Acme Tools", "status": "CANCELLED"}


def test_changed_returns_a_new_lead_one_version_later() -> None:
    """Lead.changed leaves the original alone and bumps the copy's version by one."""
    lead = a_draft().to_lead("LEAD-2026-0001")
    changed = lead.changed({"city": "Pune"}, LATER)
    assert (changed.city, changed.version, changed.updated_at) == ("Pune", 2, LATER)
    assert (lead.city, lead.version, lead.updated_at) == (None, 1, AT)


def test_a_lead_is_frozen() -> None:
    """Assigning to a lead's attribute raises."""
    lead = a_draft().to_lead("LEAD-2026-0001")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lead.version = 2  # type: ignore[misc]  # the point of the test


def test_a_leads_dict_has_every_contract_field_and_is_json_ready() -> None:
    """Lead.to_dict has the fifteen contract fields, times as ISO text, status as its name."""
    data = a_draft().to_lead("LEAD-2026-0001").to_dict()
    assert list(data) == LEAD_FIELDS
    assert (data["status"], data["created_at"]) == ("NEW", AT.isoformat())
    assert json.loads(json.dumps(data)) == data


def test_lead_attributes_are_the_contract_fields() -> None:
    """Lead has exactly the attributes DESIGN.md lists, in that order."""
    assert [field.name for field in attrs.fields(Lead)] == LEAD_FIELDS


def test_a_users_dict_is_json_ready() -> None:
    """User.to_dict holds id, email, name, role, is_active and ISO timestamps."""
    data = a_user().to_dict()
    assert data == {
        "id": "u-1",
        "email": "r@acme.in",
        "name": "Ravi",
        "role": "REVIEWER",
        "is_active": True,
        "created_at": AT.isoformat(),
        "updated_at": AT.isoformat(),
    }


def test_with_active_changes_activity_and_the_update_time() -> None:
    """User.with_active returns a copy; the original stays as it was."""
    user = a_user()
    inactive = user.with_active(False, LATER)
    assert (inactive.is_active, inactive.updated_at, user.is_active) == (False, LATER, True)


ADMIN, REVIEWER, ASSESSOR = Role.ADMIN, Role.REVIEWER, Role.ASSESSOR
# The rows of DESIGN.md's permission table that issue 2 implements: who holds each one.
EXPECTED_HOLDERS: dict[Permission, set[Role]] = {
    Permission.MANAGE_USERS: {ADMIN},
    Permission.READ_USERS: {ADMIN, REVIEWER},
    Permission.WRITE_LEADS: {ADMIN, REVIEWER},
    Permission.READ_ALL_LEADS: {ADMIN, REVIEWER},
    Permission.READ_ASSIGNED_LEADS: {ADMIN, REVIEWER, ASSESSOR},
    Permission.READ_AUDIT_LOG: {ADMIN, REVIEWER},
    Permission.VERIFY_AUDIT: {ADMIN},
    Permission.IMPORT_LEGACY_IDS: {ADMIN},
    Permission.REBUILD_COUNTERS: {ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(EXPECTED_HOLDERS))
def test_each_role_holds_the_permissions_of_the_table(role: Role, permission: Permission) -> None:
    """A user may do an action class exactly when the table gives it to their role."""
    assert a_user(role).may(permission) is (role in EXPECTED_HOLDERS[permission])
    assert (role in roles_with(permission)) is (permission in PERMISSIONS[role])


def test_authorize_refuses_an_unknown_actor_first() -> None:
    """No user at all is UNAUTHORIZED."""
    with pytest.raises(LeadCoreError) as caught:
        authorize("ghost", None, Permission.READ_ASSIGNED_LEADS)
    assert caught.value.code is ErrorCode.UNAUTHORIZED


def test_authorize_names_inactivity_before_the_role() -> None:
    """An inactive assessor asking to manage users is USER_INACTIVE, not a permission error."""
    with pytest.raises(LeadCoreError) as caught:
        authorize("u-1", a_user(Role.ASSESSOR, active=False), Permission.MANAGE_USERS)
    assert caught.value.code is ErrorCode.USER_INACTIVE


def test_authorize_refuses_a_role_without_the_permission() -> None:
    """An active assessor asking to write leads is INSUFFICIENT_PERMISSIONS."""
    with pytest.raises(LeadCoreError) as caught:
        authorize("u-1", a_user(Role.ASSESSOR), Permission.WRITE_LEADS)
    assert caught.value.code is ErrorCode.INSUFFICIENT_PERMISSIONS
    assert caught.value.context["role"] == "ASSESSOR"


def test_authorize_returns_an_actor_who_may_act() -> None:
    """An active reviewer writing leads passes through unchanged."""
    user = a_user()
    assert authorize("u-1", user, Permission.WRITE_LEADS) is user


def test_a_guard_passes_the_roles_of_its_permission() -> None:
    """ActorGuard.roles are the roles holding its permission; check() authorises."""
    guard = ActorGuard("u-1", Permission.WRITE_LEADS)
    assert guard.roles == {Role.ADMIN, Role.REVIEWER}
    assert guard.check(a_user()).id == "u-1"


def test_a_lead_entry_belongs_to_its_lead() -> None:
    """lead_entry sets lead_id and entity_id to the lead, entity_type LEAD."""
    entry = lead_entry(
        "e-1", AT, "u-1", AuditAction.LEAD_UPDATED, "LEAD-2026-0001", {"city": None}, {"city": "X"}
    )
    assert entry.to_dict() == {
        "id": "e-1",
        "at": AT.isoformat(),
        "actor_id": "u-1",
        "action": "LEAD_UPDATED",
        "lead_id": "LEAD-2026-0001",
        "entity_type": "lead",
        "entity_id": "LEAD-2026-0001",
        "old": {"city": None},
        "new": {"city": "X"},
    }


def test_a_user_entry_belongs_to_no_lead() -> None:
    """user_entry has lead_id None and the user as its entity; to_dict is JSON-ready."""
    entry = user_entry(
        "e-2", AT, "u-admin", AuditAction.USER_DEACTIVATED, "u-1", {"is_active": True}, {}
    )
    assert (entry.lead_id, entry.entity_type, entry.entity_id) == (None, EntityType.USER, "u-1")
    assert json.loads(json.dumps(entry.to_dict())) == entry.to_dict()


def test_an_entry_keeps_its_own_copy_of_old_and_new() -> None:
    """Changing the mapping an entry was built from does not change the entry."""
    new = {"city": "Pune"}
    entry = lead_entry("e-1", AT, "u-1", AuditAction.LEAD_UPDATED, "L", {}, new)
    new["city"] = "Delhi"
    assert entry.new == {"city": "Pune"}


def test_the_canonical_audit_content_is_sorted_compact_ascii_json() -> None:
    """canonical_content is json.dumps(sort_keys, ensure_ascii, compact) with the time in UTC."""
    at = datetime(2026, 3, 14, 15, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    entry = lead_entry(
        "e1", at, "u1", AuditAction.LEAD_UPDATED, "L-1", {"city": None}, {"city": "Pune é"}
    )
    fields = entry.to_dict() | {"at": "2026-03-14T09:30:00.000000+00:00"}
    expected = json.dumps(fields, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    assert canonical_content(entry) == expected


def test_a_created_entrys_content_around_its_id_is_its_canonical_content() -> None:
    """created_content_around_id(...) joined around the lead id is canonical_content."""
    at = datetime(2026, 3, 14, 15, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    new = {"cin": "U12345KA2020PTC123456", "company_name": "Tata é", "status": "NEW"}
    entry = lead_entry("e1", at, "u1", AuditAction.LEAD_CREATED, "LEAD-2026-0001", {}, new)
    a, b, c = created_content_around_id("e1", at, "u1", canonical_json(new))
    assert a + "LEAD-2026-0001" + b + "LEAD-2026-0001" + c == canonical_content(entry)
