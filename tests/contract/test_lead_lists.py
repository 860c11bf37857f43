"""Listing leads: keyset pages, filters, the page-size cap, and what assessors may see."""

from __future__ import annotations

import pytest

from leadcore import ErrorCode, Lead, LeadCore, LeadStatus, User
from leadcore.domain.pages import encode_cursor
from tests.conftest import People, lead_data
from tests.contract.helpers import all_leads, refused


def create_leads(core: LeadCore, actor_id: str, count: int, start: int = 1) -> list[Lead]:
    """Create ``count`` leads with CINs numbered from ``start``."""
    return [core.leads.create(actor_id, lead_data(n)) for n in range(start, start + count)]


def test_an_empty_store_lists_one_empty_last_page(core: LeadCore, people: People) -> None:
    """No leads: no items and no next cursor."""
    page = core.leads.list(people.reviewer.id)
    assert (list(page.items), page.next_cursor) == ([], None)


def test_pages_cover_every_lead_once_in_creation_order(core: LeadCore, people: People) -> None:
    """Seven leads in pages of three: 3, 3, 1, no duplicates, no gaps, the last cursor None."""
    created = create_leads(core, people.reviewer.id, 7)
    pages = []
    after: str | None = None
    while True:
        page = core.leads.list(people.reviewer.id, limit=3, after=after)
        pages.append(list(page.items))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [lead for p in pages for lead in p] == created


def test_a_page_that_ends_exactly_at_the_last_lead_has_no_next_cursor(
    core: LeadCore, people: People
) -> None:
    """Three leads and limit 3: one page, next_cursor None."""
    create_leads(core, people.reviewer.id, 3)
    page = core.leads.list(people.reviewer.id, limit=3)
    assert (len(page.items), page.next_cursor) == (3, None)


def test_leads_created_between_pages_appear_at_the_end_without_duplicates(
    core: LeadCore, people: People
) -> None:
    """Keyset pagination: a lead created after page one is met once, on a later page."""
    created = create_leads(core, people.reviewer.id, 4)
    first = core.leads.list(people.reviewer.id, limit=2)
    late = core.leads.create(people.reviewer.id, lead_data(99))
    rest: list[Lead] = []
    after = first.next_cursor
    assert after is not None
    while after is not None:
        page = core.leads.list(people.reviewer.id, limit=2, after=after)
        rest.extend(page.items)
        after = page.next_cursor
    assert [*first.items, *rest] == [*created, late]


def test_the_status_filter_lists_only_leads_in_that_status(core: LeadCore, people: People) -> None:
    """status=ASSIGNED (or "assigned") returns exactly the assigned leads, in order."""
    leads = create_leads(core, people.reviewer.id, 4)
    assigned = [
        core.leads.assign_assessor(
            people.reviewer.id, lead.id, people.assessor.id, expected_version=1
        )
        for lead in leads[1:3]
    ]
    assert all_leads(core, people.reviewer.id, status=LeadStatus.ASSIGNED) == assigned
    assert all_leads(core, people.reviewer.id, status="assigned") == assigned
    assert all_leads(core, people.reviewer.id, status=LeadStatus.NEW) == [leads[0], leads[3]]
    assert all_leads(core, people.reviewer.id, status=LeadStatus.CANCELLED) == []


def test_the_assessor_filter_lists_only_that_assessors_leads(
    core: LeadCore, people: People, assessor2: User
) -> None:
    """assessor_id=... returns the leads assigned to that assessor."""
    leads = create_leads(core, people.reviewer.id, 3)
    mine = core.leads.assign_assessor(
        people.reviewer.id, leads[0].id, people.assessor.id, expected_version=1
    )
    theirs = core.leads.assign_assessor(
        people.reviewer.id, leads[2].id, assessor2.id, expected_version=1
    )
    assert all_leads(core, people.reviewer.id, assessor_id=people.assessor.id) == [mine]
    assert all_leads(core, people.reviewer.id, assessor_id=assessor2.id) == [theirs]


def test_filters_combine(core: LeadCore, people: People) -> None:
    """status and assessor_id together narrow to leads matching both."""
    leads = create_leads(core, people.reviewer.id, 3)
    for lead in leads:
        core.leads.assign_assessor(
            people.reviewer.id, lead.id, people.assessor.id, expected_version=1
        )
    cancelled = core.leads.change_status(
        people.reviewer.id, leads[1].id, LeadStatus.CANCELLED, expected_version=2
    )
    found = all_leads(core, people.reviewer.id, status="CANCELLED", assessor_id=people.assessor.id)
    assert found == [cancelled]


def test_filtered_pages_follow_the_filter_across_cursors(core: LeadCore, people: People) -> None:
    """Paging with a status filter in pages of one never returns a lead of another status."""
    leads = create_leads(core, people.reviewer.id, 5)
    for lead in leads[::2]:
        core.leads.change_status(
            people.reviewer.id, lead.id, LeadStatus.CANCELLED, expected_version=1
        )
    seen: list[str] = []
    after: str | None = None
    while True:
        page = core.leads.list(people.reviewer.id, status="CANCELLED", limit=1, after=after)
        seen.extend(lead.id for lead in page.items)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [lead.id for lead in leads[::2]]


def test_a_limit_above_1000_is_clamped_to_1000(core: LeadCore, people: People) -> None:
    """With 1001 leads, limit=5000 returns 1000 of them and a cursor to the last one."""
    create_leads(core, people.reviewer.id, 1001)
    page = core.leads.list(people.reviewer.id, limit=5000)
    assert len(page.items) == 1000
    assert page.next_cursor is not None
    rest = core.leads.list(people.reviewer.id, limit=5000, after=page.next_cursor)
    assert ([lead.id for lead in rest.items], rest.next_cursor) == (["LEAD-2026-1001"], None)


@pytest.mark.parametrize("limit", [0, -1, "10", 2.5, True])
def test_a_limit_that_is_not_a_positive_integer_is_invalid_input(
    core: LeadCore, people: People, limit: object
) -> None:
    """limit must be an integer of at least 1."""
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.leads.list(people.reviewer.id, limit=limit)
    )
    assert set(error.context["fields"]) == {"limit"}


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "x" * 1000,
        encode_cursor(3),  # the shape of an audit cursor
        encode_cursor("2026-03-14T09:30:00+00:00", "a\x00b"),  # forged: NUL in the id
        encode_cursor("not a time", "LEAD-2026-0001"),
        encode_cursor("0001-01-01T00:00:00+14:00", "LEAD-2026-0001"),  # before year 1 in UTC
        42,
    ],
)
def test_a_cursor_the_list_did_not_give_out_is_invalid_input(
    core: LeadCore, people: People, cursor: object
) -> None:
    """Garbage, another list's cursor or a forged one is INVALID_INPUT naming after."""
    create_leads(core, people.reviewer.id, 2)
    error = refused(
        ErrorCode.INVALID_INPUT, lambda: core.leads.list(people.reviewer.id, after=cursor)
    )
    assert set(error.context["fields"]) == {"after"}


@pytest.mark.parametrize("filters", [{"status": "BOGUS"}, {"assessor_id": ""}, {"status": 3}])
def test_a_bad_filter_is_invalid_input(
    core: LeadCore, people: People, filters: dict[str, object]
) -> None:
    """An unknown status or an impossible assessor id is INVALID_INPUT naming it."""
    error = refused(ErrorCode.INVALID_INPUT, lambda: core.leads.list(people.reviewer.id, **filters))
    assert set(error.context["fields"]) == set(filters)


def test_wildcards_in_filters_match_only_themselves(core: LeadCore, people: People) -> None:
    """assessor_id "%" or "_" is an id like any other: it matches no lead."""
    for lead in create_leads(core, people.reviewer.id, 2):
        core.leads.assign_assessor(
            people.reviewer.id, lead.id, people.assessor.id, expected_version=1
        )
    assert all_leads(core, people.reviewer.id, assessor_id="%") == []
    assert all_leads(core, people.reviewer.id, assessor_id="_") == []


# --- what an assessor sees ---------------------------------------------------------------


@pytest.fixture
def split(core: LeadCore, people: People, assessor2: User) -> tuple[Lead, Lead, Lead]:
    """Three leads: one assigned to the first assessor, one to the second, one unassigned."""
    leads = create_leads(core, people.reviewer.id, 3)
    mine = core.leads.assign_assessor(
        people.reviewer.id, leads[0].id, people.assessor.id, expected_version=1
    )
    theirs = core.leads.assign_assessor(
        people.reviewer.id, leads[1].id, assessor2.id, expected_version=1
    )
    return mine, theirs, leads[2]


def test_an_assessor_lists_only_the_leads_assigned_to_them(
    core: LeadCore, people: People, split: tuple[Lead, Lead, Lead]
) -> None:
    """The list of an assessor holds their own leads and no other."""
    assert all_leads(core, people.assessor.id) == [split[0]]


def test_an_assessor_cannot_widen_the_list_with_a_filter(
    core: LeadCore, people: People, assessor2: User, split: tuple[Lead, Lead, Lead]
) -> None:
    """Asking for another assessor's leads still lists only one's own."""
    assert all_leads(core, people.assessor.id, assessor_id=assessor2.id) == [split[0]]
    assert all_leads(core, people.assessor.id, status="NEW") == []


def test_an_assessor_reads_their_own_lead(
    core: LeadCore, people: People, split: tuple[Lead, Lead, Lead]
) -> None:
    """get of an assigned lead by its assessor returns it."""
    assert core.leads.get(people.assessor.id, split[0].id) == split[0]


@pytest.mark.parametrize("which", [1, 2])
def test_another_lead_is_not_found_for_an_assessor(
    core: LeadCore, people: People, split: tuple[Lead, Lead, Lead], which: int
) -> None:
    """Someone else's lead or an unassigned one is LEAD_NOT_FOUND: its existence stays hidden."""
    error = refused(
        ErrorCode.LEAD_NOT_FOUND, lambda: core.leads.get(people.assessor.id, split[which].id)
    )
    assert error.context == {"lead_id": split[which].id}


def test_an_assessor_loses_sight_of_a_lead_reassigned_away(
    core: LeadCore, people: People, assessor2: User, split: tuple[Lead, Lead, Lead]
) -> None:
    """After the lead moves to another assessor, the first one gets LEAD_NOT_FOUND."""
    core.leads.assign_assessor(people.reviewer.id, split[0].id, assessor2.id, expected_version=2)
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.leads.get(people.assessor.id, split[0].id))
    assert all_leads(core, people.assessor.id) == []


def test_staff_list_every_lead(
    core: LeadCore, people: People, split: tuple[Lead, Lead, Lead]
) -> None:
    """Admins and reviewers list all three leads."""
    assert all_leads(core, people.admin.id) == all_leads(core, people.reviewer.id) == list(split)
