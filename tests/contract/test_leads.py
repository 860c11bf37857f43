"""Lead commands on every store: create, get, update, assign, change_status."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from leadcore import (
    AuditAction,
    ErrorCode,
    Lead,
    LeadCore,
    LeadInput,
    LeadStatus,
    User,
)
from tests.conftest import FakeClock, People, lead_data
from tests.contract.helpers import all_audit, all_leads, refused

# --- create and get ----------------------------------------------------------------------


def test_a_new_lead_holds_its_cleaned_input(core: LeadCore, people: People) -> None:
    """create strips text, normalises the CIN and starts the lead NEW at version 1."""
    lead = core.leads.create(
        people.reviewer.id,
        {
            "company_name": "  Acme Tools Pvt Ltd ",
            "cin": " u72900ka2015ptc012345 ",
            "contact_name": "Ops Desk",
            "contact_email": "ops@acme.in",
            "contact_phone": "+91 98450 12345",
            "city": "Bengaluru",
            "state": "Karnataka",
            "notes": "call back\nafter Diwali",
        },
    )
    assert lead.to_dict() | {"created_at": None, "updated_at": None} == {
        "id": "LEAD-2026-0001",
        "cin": "U72900KA2015PTC012345",
        "company_name": "Acme Tools Pvt Ltd",
        "contact_name": "Ops Desk",
        "contact_email": "ops@acme.in",
        "contact_phone": "+91 98450 12345",
        "city": "Bengaluru",
        "state": "Karnataka",
        "notes": "call back\nafter Diwali",
        "status": "NEW",
        "assessor_id": None,
        "created_by": people.reviewer.id,
        "created_at": None,
        "updated_at": None,
        "version": 1,
    }


def test_a_new_lead_is_stamped_with_the_clocks_time_in_utc(
    core: LeadCore, people: People, clock: FakeClock
) -> None:
    """created_at and updated_at are equal, time-zone aware UTC, from the injected clock."""
    before = clock.current
    lead = core.leads.create(people.reviewer.id, lead_data())
    assert lead.created_at == lead.updated_at
    assert before < lead.created_at <= clock.current
    assert lead.created_at.utcoffset() == timedelta(0)


def test_an_admin_may_create_a_lead(core: LeadCore, people: People) -> None:
    """ADMIN holds the write permission too; created_by is the admin."""
    assert core.leads.create(people.admin.id, lead_data()).created_by == people.admin.id


def test_a_lead_input_object_creates_a_lead(core: LeadCore, people: People) -> None:
    """create accepts the LeadInput attrs class as well as a mapping."""
    lead = core.leads.create(
        people.reviewer.id, LeadInput(company_name="Acme", cin="U72900KA2015PTC000001")
    )
    assert (lead.company_name, lead.cin) == ("Acme", "U72900KA2015PTC000001")


def test_leads_are_numbered_one_after_another(core: LeadCore, people: People) -> None:
    """Three creates get LEAD-2026-0001, -0002 and -0003."""
    ids = [core.leads.create(people.reviewer.id, lead_data(n)).id for n in range(1, 4)]
    assert ids == ["LEAD-2026-0001", "LEAD-2026-0002", "LEAD-2026-0003"]


def test_a_bad_create_names_every_bad_field_and_stores_nothing(
    core: LeadCore, people: People
) -> None:
    """INVALID_INPUT lists each bad field; no lead and no entry is written."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.create(
            people.reviewer.id, {"cin": "U123", "contact_email": "ops", "colour": "red"}
        ),
    )
    assert set(error.context["fields"]) == {"cin", "company_name", "contact_email", "colour"}
    assert all_leads(core, people.admin.id) == []
    assert all_audit(core, people.admin.id, action="LEAD_CREATED") == []


def test_a_duplicate_cin_stores_nothing(core: LeadCore, people: People, lead: Lead) -> None:
    """After DUPLICATE_CIN there is still one lead and one LEAD_CREATED entry."""
    refused(ErrorCode.DUPLICATE_CIN, lambda: core.leads.create(people.reviewer.id, lead_data(1)))
    assert all_leads(core, people.admin.id) == [lead]
    assert len(all_audit(core, people.admin.id, action="LEAD_CREATED")) == 1


def test_get_equals_what_every_write_returned(core: LeadCore, people: People, lead: Lead) -> None:
    """After update, assign and cancel, get returns an object equal to the write's result."""
    reviewer = people.reviewer.id
    updated = core.leads.update(reviewer, lead.id, {"city": "Pune"}, expected_version=1)
    assert core.leads.get(reviewer, lead.id) == updated
    assigned = core.leads.assign_assessor(reviewer, lead.id, people.assessor.id, expected_version=2)
    assert core.leads.get(reviewer, lead.id) == assigned
    cancelled = core.leads.change_status(
        reviewer, lead.id, LeadStatus.CANCELLED, expected_version=3
    )
    assert core.leads.get(reviewer, lead.id) == cancelled


@pytest.mark.parametrize(
    "lead_id",
    [
        "LEAD-2026-9999",
        "",
        "x" * 100_000,
        "a\x00b",
        None,
        7,
        "%",
        "_",
        "' OR 1=1 --",
        "LEAD-2026-0001\u200f",
    ],
)
def test_getting_a_lead_that_does_not_exist_is_lead_not_found(
    core: LeadCore, people: People, lead_id: object
) -> None:
    """Unknown or impossible ids are LEAD_NOT_FOUND with a short, JSON-ready context."""
    error = refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.leads.get(people.reviewer.id, lead_id))
    assert len(json.dumps(error.context)) < 200


# --- update ------------------------------------------------------------------------------


def test_an_update_with_the_current_version_changes_the_lead(
    core: LeadCore, people: People, lead: Lead, clock: FakeClock
) -> None:
    """update with expected_version 1 returns version 2 with the new values and a later time."""
    updated = core.leads.update(
        people.reviewer.id,
        lead.id,
        {"company_name": " Acme ", "city": "Pune"},
        expected_version=1,
    )
    assert (updated.company_name, updated.city, updated.version) == ("Acme", "Pune", 2)
    assert lead.created_at == updated.created_at < updated.updated_at <= clock.current
    assert (updated.id, updated.cin, updated.status) == (lead.id, lead.cin, lead.status)


def test_an_update_with_a_stale_version_is_refused_and_changes_nothing(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A second tab saving with version 1 after version 2 exists gets CONCURRENT_MODIFICATION."""
    current = core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1)
    error = refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.leads.update(
            people.admin.id, lead.id, {"city": "Chennai"}, expected_version=1
        ),
    )
    assert error.context == {"lead_id": lead.id, "expected_version": 1, "actual_version": 2}
    assert core.leads.get(people.reviewer.id, lead.id) == current
    assert len(core.audit.for_lead(people.reviewer.id, lead.id)) == 2


def test_an_update_with_a_future_version_is_refused(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """expected_version above the current one is just as stale."""
    error = refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.leads.update(
            people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=5
        ),
    )
    assert error.context == {"lead_id": lead.id, "expected_version": 5, "actual_version": 1}


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None])
def test_an_expected_version_that_is_no_version_is_invalid_input(
    core: LeadCore, people: People, lead: Lead, version: object
) -> None:
    """expected_version must be an integer of at least 1."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.update(
            people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=version
        ),
    )
    assert set(error.context["fields"]) == {"expected_version"}


def test_an_update_that_changes_nothing_keeps_the_version_and_writes_no_entry(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Sending the current values (in another spelling) returns the lead unchanged."""
    same = core.leads.update(
        people.reviewer.id,
        lead.id,
        {"company_name": f"  {lead.company_name} ", "cin": lead.cin.lower(), "city": None},
        expected_version=1,
    )
    assert same == lead
    assert core.leads.get(people.reviewer.id, lead.id) == lead
    assert [e.action for e in core.audit.for_lead(people.reviewer.id, lead.id)] == [
        AuditAction.LEAD_CREATED
    ]


def test_an_empty_update_changes_nothing(core: LeadCore, people: People, lead: Lead) -> None:
    """update with {} is a no-op: same version, no entry."""
    assert core.leads.update(people.reviewer.id, lead.id, {}, expected_version=1) == lead
    assert len(core.audit.for_lead(people.reviewer.id, lead.id)) == 1


@pytest.mark.parametrize("cleared", [None, "", "   "])
def test_an_update_clears_an_optional_field(
    core: LeadCore, people: People, cleared: str | None
) -> None:
    """None or blank for an optional field sets it to None."""
    lead = core.leads.create(people.reviewer.id, lead_data(city="Pune"))
    updated = core.leads.update(people.reviewer.id, lead.id, {"city": cleared}, expected_version=1)
    assert (updated.city, updated.version) == (None, 2)


def test_a_bad_update_names_each_bad_field_and_changes_nothing(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Blank company_name, a bad phone and an unknown key are reported together."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.update(
            people.reviewer.id,
            lead.id,
            {"company_name": " ", "contact_phone": "12", "status": "COMPLETED"},
            expected_version=1,
        ),
    )
    assert set(error.context["fields"]) == {"company_name", "contact_phone", "status"}
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_changing_the_cin_to_one_in_use_is_a_duplicate(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Taking another lead's CIN (in any spelling) is DUPLICATE_CIN; both leads stay as is."""
    other = core.leads.create(people.reviewer.id, lead_data(2))
    error = refused(
        ErrorCode.DUPLICATE_CIN,
        lambda: core.leads.update(
            people.reviewer.id, other.id, {"cin": f" {lead.cin.lower()}"}, expected_version=1
        ),
    )
    assert error.context == {"cin": lead.cin}
    assert all_leads(core, people.admin.id) == [lead, other]


def test_a_changed_cin_frees_the_old_one(core: LeadCore, people: People, lead: Lead) -> None:
    """After a lead's CIN changes, its old CIN can be used again and its new one cannot."""
    new_cin = "L17110MH1973PLC019786"
    core.leads.update(people.reviewer.id, lead.id, {"cin": new_cin}, expected_version=1)
    reused = core.leads.create(people.reviewer.id, lead_data(1))
    assert reused.cin == lead.cin
    refused(
        ErrorCode.DUPLICATE_CIN,
        lambda: core.leads.create(people.reviewer.id, lead_data(3, cin=new_cin)),
    )


def test_updating_a_lead_that_does_not_exist_is_lead_not_found(
    core: LeadCore, people: People
) -> None:
    """update of an unknown id is LEAD_NOT_FOUND."""
    refused(
        ErrorCode.LEAD_NOT_FOUND,
        lambda: core.leads.update(
            people.reviewer.id, "LEAD-2026-0404", {"city": "Pune"}, expected_version=1
        ),
    )


# --- assign ------------------------------------------------------------------------------


def test_assigning_an_active_assessor_makes_the_lead_assigned(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """assign_assessor sets assessor_id and ASSIGNED at version 2."""
    assigned = core.leads.assign_assessor(
        people.reviewer.id, lead.id, people.assessor.id, expected_version=1
    )
    assert (assigned.assessor_id, assigned.status, assigned.version) == (
        people.assessor.id,
        LeadStatus.ASSIGNED,
        2,
    )


@pytest.mark.parametrize("who", ["admin", "reviewer"])
def test_assigning_someone_who_is_not_an_assessor_is_invalid_input(
    core: LeadCore, people: People, lead: Lead, who: str
) -> None:
    """An ADMIN or REVIEWER as assessor is INVALID_INPUT naming assessor_id."""
    user: User = getattr(people, who)
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.assign_assessor(
            people.reviewer.id, lead.id, user.id, expected_version=1
        ),
    )
    assert set(error.context["fields"]) == {"assessor_id"}
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_assigning_a_deactivated_assessor_is_invalid_input(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """An inactive ASSESSOR cannot take a lead: INVALID_INPUT naming assessor_id."""
    core.users.deactivate(people.admin.id, people.assessor.id)
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.assign_assessor(
            people.reviewer.id, lead.id, people.assessor.id, expected_version=1
        ),
    )
    assert set(error.context["fields"]) == {"assessor_id"}


def test_assigning_an_unknown_user_is_user_not_found(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """An assessor id nobody has is USER_NOT_FOUND; the lead stays NEW."""
    refused(
        ErrorCode.USER_NOT_FOUND,
        lambda: core.leads.assign_assessor(
            people.reviewer.id, lead.id, "0190a1b2-no-such-user", expected_version=1
        ),
    )
    assert core.leads.get(people.reviewer.id, lead.id) == lead


@pytest.mark.parametrize("assessor_id", ["", None, 42, "x" * 100_000])
def test_an_assessor_id_no_user_could_have_is_invalid_input(
    core: LeadCore, people: People, lead: Lead, assessor_id: object
) -> None:
    """Empty, non-text or 100 KB assessor ids are INVALID_INPUT naming assessor_id."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.assign_assessor(
            people.reviewer.id, lead.id, assessor_id, expected_version=1
        ),
    )
    assert set(error.context["fields"]) == {"assessor_id"}


def test_reassigning_the_same_assessor_changes_nothing(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Assigning the current assessor again returns the lead unchanged and writes no entry."""
    assigned = core.leads.assign_assessor(
        people.reviewer.id, lead.id, people.assessor.id, expected_version=1
    )
    again = core.leads.assign_assessor(
        people.reviewer.id, lead.id, people.assessor.id, expected_version=2
    )
    assert again == assigned
    assert len(core.audit.for_lead(people.reviewer.id, lead.id)) == 2


def test_reassigning_to_another_assessor_keeps_the_lead_assigned(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """ASSIGNED -> ASSIGNED with the new assessor at the next version."""
    core.leads.assign_assessor(people.reviewer.id, lead.id, people.assessor.id, expected_version=1)
    moved = core.leads.assign_assessor(
        people.reviewer.id, lead.id, assessor2.id, expected_version=2
    )
    assert (moved.assessor_id, moved.status, moved.version) == (
        assessor2.id,
        LeadStatus.ASSIGNED,
        3,
    )


def test_assigning_with_a_stale_version_is_refused(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """assign_assessor with an old version is CONCURRENT_MODIFICATION and changes nothing."""
    current = core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1)
    error = refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.leads.assign_assessor(
            people.reviewer.id, lead.id, assessor2.id, expected_version=1
        ),
    )
    assert error.context == {"lead_id": lead.id, "expected_version": 1, "actual_version": 2}
    assert core.leads.get(people.reviewer.id, lead.id) == current


def test_assigning_a_cancelled_lead_is_an_invalid_transition(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A CANCELLED lead cannot be assigned: INVALID_STATUS_TRANSITION from CANCELLED."""
    core.leads.change_status(people.reviewer.id, lead.id, "CANCELLED", expected_version=1)
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.leads.assign_assessor(
            people.reviewer.id, lead.id, people.assessor.id, expected_version=2
        ),
    )
    assert error.context == {"from": "CANCELLED", "to": "ASSIGNED"}


# --- change_status -----------------------------------------------------------------------


@pytest.mark.parametrize("assign_first", [False, True])
def test_a_new_or_assigned_lead_can_be_cancelled(
    core: LeadCore, people: People, lead: Lead, assign_first: bool
) -> None:
    """change_status to CANCELLED moves NEW or ASSIGNED leads one version on."""
    version = 1
    if assign_first:
        core.leads.assign_assessor(
            people.reviewer.id, lead.id, people.assessor.id, expected_version=1
        )
        version = 2
    cancelled = core.leads.change_status(
        people.reviewer.id, lead.id, LeadStatus.CANCELLED, expected_version=version
    )
    assert (cancelled.status, cancelled.version) == (LeadStatus.CANCELLED, version + 1)


@pytest.mark.parametrize("target", [s for s in LeadStatus if s is not LeadStatus.CANCELLED])
def test_change_status_refuses_every_target_but_cancelled(
    core: LeadCore, people: People, lead: Lead, target: LeadStatus
) -> None:
    """Moves that have a command of their own are INVALID_STATUS_TRANSITION from/to."""
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.leads.change_status(people.reviewer.id, lead.id, target, expected_version=1),
    )
    assert error.context == {"from": "NEW", "to": target.value}
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_a_cancelled_lead_cannot_be_cancelled_again(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """CANCELLED is terminal: cancelling again is INVALID_STATUS_TRANSITION, version kept."""
    cancelled = core.leads.change_status(
        people.reviewer.id, lead.id, LeadStatus.CANCELLED, expected_version=1
    )
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.leads.change_status(
            people.reviewer.id, lead.id, LeadStatus.CANCELLED, expected_version=2
        ),
    )
    assert error.context == {"from": "CANCELLED", "to": "CANCELLED"}
    assert core.leads.get(people.reviewer.id, lead.id) == cancelled


def test_a_cancelled_lead_cannot_be_updated_back_to_new(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """CANCELLED -> NEW is INVALID_STATUS_TRANSITION."""
    core.leads.change_status(people.reviewer.id, lead.id, LeadStatus.CANCELLED, expected_version=1)
    error = refused(
        ErrorCode.INVALID_STATUS_TRANSITION,
        lambda: core.leads.change_status(
            people.reviewer.id, lead.id, LeadStatus.NEW, expected_version=2
        ),
    )
    assert error.context == {"from": "CANCELLED", "to": "NEW"}


def test_a_status_may_be_named_in_any_case(core: LeadCore, people: People, lead: Lead) -> None:
    """change_status takes "cancelled" as well as LeadStatus.CANCELLED."""
    moved = core.leads.change_status(people.reviewer.id, lead.id, "cancelled", expected_version=1)
    assert moved.status is LeadStatus.CANCELLED


@pytest.mark.parametrize("status", ["BOGUS", "", 3, None])
def test_a_status_that_does_not_exist_is_invalid_input(
    core: LeadCore, people: People, lead: Lead, status: object
) -> None:
    """An unknown status is INVALID_INPUT naming status."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.leads.change_status(people.reviewer.id, lead.id, status, expected_version=1),
    )
    assert set(error.context["fields"]) == {"status"}


def test_cancelling_with_a_stale_version_is_refused(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """change_status with an old version is CONCURRENT_MODIFICATION and changes nothing."""
    current = core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1)
    error = refused(
        ErrorCode.CONCURRENT_MODIFICATION,
        lambda: core.leads.change_status(
            people.reviewer.id, lead.id, LeadStatus.CANCELLED, expected_version=1
        ),
    )
    assert error.context == {"lead_id": lead.id, "expected_version": 1, "actual_version": 2}
    assert core.leads.get(people.reviewer.id, lead.id) == current
