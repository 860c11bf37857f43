"""The audit trail on every store: one entry per accepted change, right actor, old and new."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from leadcore import AuditAction, AuditEntry, EntityType, ErrorCode, Lead, LeadCore, LeadStatus
from leadcore.domain.pages import encode_cursor
from tests.conftest import FakeClock, People, lead_data
from tests.contract.helpers import all_audit, refused


@pytest.fixture
def history(core: LeadCore, people: People, lead: Lead) -> list[Lead]:
    """One lead through four writes by three actors: create, update, assign, cancel."""
    updated = core.leads.update(
        people.admin.id, lead.id, {"company_name": "Acme", "city": "Pune"}, expected_version=1
    )
    assigned = core.leads.assign_assessor(
        people.reviewer.id, lead.id, people.assessor.id, expected_version=2
    )
    cancelled = core.leads.change_status(
        people.admin.id, lead.id, LeadStatus.CANCELLED, expected_version=3
    )
    return [lead, updated, assigned, cancelled]


def entries_of(core: LeadCore, people: People, lead: Lead) -> list[AuditEntry]:
    """Return the entries of ``lead`` as the reviewer reads them."""
    return core.audit.for_lead(people.reviewer.id, lead.id)


def test_for_lead_is_oldest_first_with_the_right_actors(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """Four writes give four entries in order, each naming who made the change."""
    entries = entries_of(core, people, history[0])
    assert [(e.action, e.actor_id) for e in entries] == [
        (AuditAction.LEAD_CREATED, people.reviewer.id),
        (AuditAction.LEAD_UPDATED, people.admin.id),
        (AuditAction.LEAD_ASSIGNED, people.reviewer.id),
        (AuditAction.LEAD_STATUS_UPDATED, people.admin.id),
    ]


def test_each_entry_is_stamped_with_the_time_of_its_change(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """An entry's time is the updated_at of the lead its write returned."""
    entries = entries_of(core, people, history[0])
    assert [e.at for e in entries] == [lead.updated_at for lead in history]


def test_lead_entries_point_at_their_lead(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """lead_id and entity_id are the lead's id, entity_type is LEAD, ids are unique."""
    entries = entries_of(core, people, history[0])
    assert {(e.lead_id, e.entity_id, e.entity_type) for e in entries} == {
        (history[0].id, history[0].id, EntityType.LEAD)
    }
    assert len({e.id for e in entries}) == 4


def test_the_created_entry_records_the_values_that_were_set(core: LeadCore, people: People) -> None:
    """LEAD_CREATED has no old values and the given fields (normalised) plus status as new."""
    lead = core.leads.create(
        people.reviewer.id, lead_data(cin=" u72900ka2015ptc000001", city="Pune")
    )
    (entry,) = entries_of(core, people, lead)
    assert (entry.old, entry.new) == (
        {},
        {
            "cin": "U72900KA2015PTC000001",
            "company_name": "Company 1 Pvt Ltd",
            "city": "Pune",
            "status": "NEW",
        },
    )


def test_the_updated_entry_holds_only_the_changed_fields(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """An update sending a changed and an unchanged field records just the changed one."""
    core.leads.update(
        people.reviewer.id,
        lead.id,
        {"company_name": lead.company_name, "city": "Pune", "notes": None},
        expected_version=1,
    )
    entry = entries_of(core, people, lead)[-1]
    assert (entry.old, entry.new) == ({"city": None}, {"city": "Pune"})


def test_clearing_a_field_records_the_old_value_and_none(core: LeadCore, people: People) -> None:
    """Clearing city records old {"city": "Pune"} and new {"city": None}."""
    lead = core.leads.create(people.reviewer.id, lead_data(city="Pune"))
    core.leads.update(people.reviewer.id, lead.id, {"city": None}, expected_version=1)
    entry = entries_of(core, people, lead)[-1]
    assert (entry.old, entry.new) == ({"city": "Pune"}, {"city": None})


def test_the_assigned_entry_holds_assessor_and_status(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """The first assignment records the assessor and NEW -> ASSIGNED."""
    entry = entries_of(core, people, history[0])[2]
    assert (entry.old, entry.new) == (
        {"assessor_id": None, "status": "NEW"},
        {"assessor_id": people.assessor.id, "status": "ASSIGNED"},
    )


def test_a_reassignment_records_only_the_assessor(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """ASSIGNED -> ASSIGNED changes no status, so only assessor_id is in old and new."""
    other = core.users.create(
        people.admin.id, {"email": "m@example.in", "name": "Meena", "role": "ASSESSOR"}
    )
    core.leads.assign_assessor(people.reviewer.id, lead.id, people.assessor.id, expected_version=1)
    core.leads.assign_assessor(people.reviewer.id, lead.id, other.id, expected_version=2)
    entry = entries_of(core, people, lead)[-1]
    assert (entry.old, entry.new) == (
        {"assessor_id": people.assessor.id},
        {"assessor_id": other.id},
    )


def test_the_status_entry_holds_the_old_and_new_status(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """Cancelling records ASSIGNED -> CANCELLED."""
    entry = entries_of(core, people, history[0])[3]
    assert (entry.old, entry.new) == ({"status": "ASSIGNED"}, {"status": "CANCELLED"})


def test_an_entry_as_a_dict_is_json_ready(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """AuditEntry.to_dict has every contract field and survives json.dumps."""
    data = entries_of(core, people, history[0])[1].to_dict()
    assert set(data) == {
        "id",
        "at",
        "actor_id",
        "action",
        "lead_id",
        "entity_type",
        "entity_id",
        "old",
        "new",
    }
    assert json.loads(json.dumps(data)) == data


def test_an_assessor_reads_the_audit_of_their_own_lead(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """The assigned assessor may read the entries of the lead (even once cancelled)."""
    assert core.audit.for_lead(people.assessor.id, history[0].id) == entries_of(
        core, people, history[0]
    )


def test_the_audit_of_someone_elses_lead_is_not_found_for_an_assessor(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """An assessor asking for the audit of a lead not assigned to them gets LEAD_NOT_FOUND."""
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.audit.for_lead(people.assessor.id, lead.id))


@pytest.mark.parametrize("lead_id", ["LEAD-2026-0404", "", None])
def test_the_audit_of_an_unknown_lead_is_not_found(
    core: LeadCore, people: People, lead_id: object
) -> None:
    """for_lead of a lead that does not exist is LEAD_NOT_FOUND, not an empty list."""
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.audit.for_lead(people.reviewer.id, lead_id))


def test_user_entries_belong_to_no_lead(core: LeadCore, people: People, lead: Lead) -> None:
    """USER_* entries have lead_id None and never show up in a lead's audit."""
    core.users.deactivate(people.admin.id, people.assessor.id)
    user_entries = [e for e in all_audit(core, people.admin.id) if e.action.startswith("USER_")]
    assert {e.lead_id for e in user_entries} == {None}
    assert {e.entity_type for e in user_entries} == {EntityType.USER}
    assert [e.action for e in entries_of(core, people, lead)] == [AuditAction.LEAD_CREATED]


# --- the whole trail -----------------------------------------------------------------------


def test_the_trail_lists_user_and_lead_entries_oldest_first(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """audit.list holds the three USER_CREATED entries, then the lead's four, in order."""
    entries = all_audit(core, people.reviewer.id)
    assert [e.action for e in entries] == [
        AuditAction.USER_CREATED,
        AuditAction.USER_CREATED,
        AuditAction.USER_CREATED,
        AuditAction.LEAD_CREATED,
        AuditAction.LEAD_UPDATED,
        AuditAction.LEAD_ASSIGNED,
        AuditAction.LEAD_STATUS_UPDATED,
    ]
    assert entries[3:] == entries_of(core, people, history[0])


@pytest.mark.parametrize("action", ["LEAD_ASSIGNED", "lead_assigned", AuditAction.LEAD_ASSIGNED])
def test_the_trail_filters_by_action_name(
    core: LeadCore, people: People, history: list[Lead], action: object
) -> None:
    """list(action=...) returns only entries of that action; the name is case-insensitive."""
    entries = core.audit.list(people.reviewer.id, action=action).items
    assert [(e.action, e.lead_id) for e in entries] == [(AuditAction.LEAD_ASSIGNED, history[0].id)]


def test_the_trail_filters_by_lead(core: LeadCore, people: People, lead: Lead) -> None:
    """list(lead_id=...) returns only that lead's entries, the same as for_lead."""
    other = core.leads.create(people.reviewer.id, lead_data(2))
    core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1)
    assert all_audit(core, people.reviewer.id, lead_id=lead.id) == entries_of(core, people, lead)
    assert [e.lead_id for e in all_audit(core, people.reviewer.id, lead_id=other.id)] == [other.id]


def test_the_trail_filters_by_action_and_lead_together(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Both filters narrow to entries matching both."""
    other = core.leads.create(people.reviewer.id, lead_data(2))
    for target in (lead, other):
        core.leads.update(people.reviewer.id, target.id, {"city": "Pune"}, expected_version=1)
    found = all_audit(core, people.reviewer.id, action="LEAD_UPDATED", lead_id=other.id)
    assert [(e.action, e.lead_id) for e in found] == [(AuditAction.LEAD_UPDATED, other.id)]


def test_a_lead_without_entries_has_an_empty_trail(core: LeadCore, people: People) -> None:
    """Filtering on an id no lead has gives an empty last page."""
    page = core.audit.list(people.reviewer.id, lead_id="LEAD-2026-0404")
    assert (list(page.items), page.next_cursor) == ([], None)


@pytest.mark.parametrize("lead_id", ["%", "_", "LEAD-2026-000%"])
def test_wildcards_in_the_lead_filter_match_only_themselves(
    core: LeadCore, people: People, lead: Lead, lead_id: str
) -> None:
    """lead_id "%" is compared as text, not as a pattern: no entries."""
    assert all_audit(core, people.reviewer.id, lead_id=lead_id) == []


def test_the_trail_pages_without_duplicates_or_gaps(core: LeadCore, people: People) -> None:
    """Pages of two, followed by cursor, give the whole trail exactly once, in order."""
    for n in range(1, 6):
        core.leads.create(people.reviewer.id, lead_data(n))
    whole = all_audit(core, people.reviewer.id)
    paged: list[AuditEntry] = []
    after: str | None = None
    pages = 0
    while True:
        page = core.audit.list(people.reviewer.id, limit=2, after=after)
        paged.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert paged == whole
    assert pages == 4  # 3 user + 5 lead entries in pages of two
    assert len({e.id for e in paged}) == 8


def test_filtered_trail_pages_follow_the_filter(core: LeadCore, people: People) -> None:
    """Paging LEAD_CREATED entries one at a time meets each lead once, in creation order."""
    leads = [core.leads.create(people.reviewer.id, lead_data(n)) for n in range(1, 4)]
    seen: list[str | None] = []
    after: str | None = None
    while True:
        page = core.audit.list(people.reviewer.id, action="LEAD_CREATED", limit=1, after=after)
        seen.extend(e.lead_id for e in page.items)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [lead.id for lead in leads]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"action": "NO_SUCH_ACTION"}, "action"),
        ({"action": 7}, "action"),
        ({"lead_id": ""}, "lead_id"),
        ({"limit": 0}, "limit"),
        ({"after": "garbage"}, "after"),
        ({"after": encode_cursor(10**30)}, "after"),  # a position no database can hold
        ({"after": encode_cursor(2**63)}, "after"),
        ({"after": encode_cursor(-5)}, "after"),
        ({"after": encode_cursor("2026-03-14T09:30:00+00:00", "x")}, "after"),  # a list's
    ],
)
def test_the_trail_refuses_bad_arguments(
    core: LeadCore, people: People, filters: dict[str, object], field: str
) -> None:
    """An unknown action, an impossible lead id, a bad limit or cursor is INVALID_INPUT."""
    error = refused(ErrorCode.INVALID_INPUT, lambda: core.audit.list(people.reviewer.id, **filters))
    assert set(error.context["fields"]) == {field}


def test_an_assessor_may_not_read_the_whole_trail(core: LeadCore, people: People) -> None:
    """audit.list is for staff: INSUFFICIENT_PERMISSIONS for an assessor."""
    refused(ErrorCode.INSUFFICIENT_PERMISSIONS, lambda: core.audit.list(people.assessor.id))


def test_an_export_is_the_whole_trail_oldest_first(
    core: LeadCore, people: People, history: list[Lead]
) -> None:
    """audit.export yields what paging audit.list gives, in the same order."""
    assert list(core.audit.export(people.reviewer.id)) == all_audit(core, people.reviewer.id)


def test_an_export_applies_the_action_lead_and_since_filters(
    core: LeadCore, people: People, history: list[Lead], clock: FakeClock
) -> None:
    """Action and lead filter as in audit.list; since keeps entries at or after it."""
    clock.set(clock.now() + timedelta(minutes=5))
    cut = clock.now()
    later = core.leads.create(people.reviewer.id, lead_data(2))
    reviewer = people.reviewer.id

    assigned = list(core.audit.export(reviewer, action="LEAD_ASSIGNED", lead_id=history[0].id))
    since = list(core.audit.export(reviewer, since=cut))

    assert [(e.action, e.lead_id) for e in assigned] == [(AuditAction.LEAD_ASSIGNED, history[0].id)]
    assert [(e.action, e.lead_id) for e in since] == [(AuditAction.LEAD_CREATED, later.id)]


def test_an_export_is_refused_before_it_is_read(core: LeadCore, people: People) -> None:
    """An assessor, a bad filter or a naive since is refused by the call, not by iterating."""
    refused(ErrorCode.INSUFFICIENT_PERMISSIONS, lambda: core.audit.export(people.assessor.id))
    refused(ErrorCode.INVALID_INPUT, lambda: core.audit.export(people.reviewer.id, action="NOPE"))
    naive = datetime(2026, 3, 14, 9, 30)  # the naive time under test
    refused(ErrorCode.INVALID_INPUT, lambda: core.audit.export(people.reviewer.id, since=naive))


def test_an_export_not_yet_read_holds_nothing(core: LeadCore, people: People) -> None:
    """Until its first entry is asked for, an export blocks no writer in another thread."""
    exported = core.audit.export(people.reviewer.id)
    with ThreadPoolExecutor(max_workers=1) as pool:
        created = pool.submit(core.leads.create, people.reviewer.id, lead_data(3))
        lead = created.result(timeout=30)

    assert lead.id in {entry.lead_id for entry in exported}
