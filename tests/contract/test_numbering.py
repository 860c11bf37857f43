"""Gapless yearly numbering on every store: refusals take no number, years and settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from leadcore import ErrorCode, LeadCore
from tests.conftest import FakeClock, People, lead_data
from tests.contract.conftest import OpenCore
from tests.contract.helpers import all_audit, refused

Refusal = Callable[[LeadCore, People], object]

REFUSED_CREATES: dict[str, tuple[ErrorCode, Refusal]] = {
    "bad input": (
        ErrorCode.INVALID_INPUT,
        lambda core, people: core.leads.create(people.reviewer.id, {"cin": "nope"}),
    ),
    "duplicate CIN": (
        ErrorCode.DUPLICATE_CIN,
        lambda core, people: core.leads.create(people.reviewer.id, lead_data(1)),
    ),
    "inactive actor": (
        ErrorCode.USER_INACTIVE,
        lambda core, people: (
            core.users.deactivate(people.admin.id, people.reviewer.id),
            core.leads.create(people.reviewer.id, lead_data(2)),
        ),
    ),
    "unknown actor": (
        ErrorCode.UNAUTHORIZED,
        lambda core, people: core.leads.create("no-such-user", lead_data(2)),
    ),
    "assessor": (
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda core, people: core.leads.create(people.assessor.id, lead_data(2)),
    ),
}


@pytest.mark.parametrize("kind", list(REFUSED_CREATES))
def test_a_refused_create_consumes_no_number(core: LeadCore, people: People, kind: str) -> None:
    """After a refused create, the next accepted one takes the very next number."""
    core.leads.create(people.reviewer.id, lead_data(1))
    code, attempt = REFUSED_CREATES[kind]
    refused(code, lambda: attempt(core, people))
    assert core.leads.create(people.admin.id, lead_data(3)).id == "LEAD-2026-0002"
    assert len(all_audit(core, people.admin.id, action="LEAD_CREATED")) == 2


def test_the_year_turns_at_midnight_utc(core: LeadCore, people: People, clock: FakeClock) -> None:
    """Leads just before and after New Year are LEAD-2026-000N and LEAD-2027-0001."""
    core.leads.create(people.reviewer.id, lead_data(1))
    clock.set(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    last = core.leads.create(people.reviewer.id, lead_data(2))
    clock.set(datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC))
    first = core.leads.create(people.reviewer.id, lead_data(3))
    second = core.leads.create(people.reviewer.id, lead_data(4))
    assert [last.id, first.id, second.id] == ["LEAD-2026-0002", "LEAD-2027-0001", "LEAD-2027-0002"]


def test_each_year_keeps_its_own_counter(core: LeadCore, people: People, clock: FakeClock) -> None:
    """Numbers of 2026 and 2027 run independently of each other."""
    clock.set(datetime(2027, 2, 1, tzinfo=UTC))
    first_of_2027 = core.leads.create(people.reviewer.id, lead_data(1))
    clock.set(datetime(2028, 2, 1, tzinfo=UTC))
    first_of_2028 = core.leads.create(people.reviewer.id, lead_data(2))
    assert (first_of_2027.id, first_of_2028.id) == ("LEAD-2027-0001", "LEAD-2028-0001")


def test_in_kolkata_new_years_eve_evening_counts_in_the_next_year(
    open_core: OpenCore, clock: FakeClock
) -> None:
    """With lead_id_timezone Asia/Kolkata, a lead at 2026-12-31T20:00Z is LEAD-2027-0001."""
    core = open_core(lead_id_timezone="Asia/Kolkata")
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    clock.set(datetime(2026, 12, 31, 18, 0, tzinfo=UTC))  # 23:30 in Kolkata
    before = core.leads.create(admin.id, lead_data(1))
    clock.set(datetime(2026, 12, 31, 20, 0, tzinfo=UTC))  # 01:30 on 1 January in Kolkata
    after = core.leads.create(admin.id, lead_data(2))
    assert (before.id, after.id) == ("LEAD-2026-0001", "LEAD-2027-0001")


def test_prefix_and_width_are_settings(open_core: OpenCore) -> None:
    """lead_id_prefix ACME and width 6 give ACME-2026-000001."""
    core = open_core(lead_id_prefix="ACME", lead_id_width=6)
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    assert core.leads.create(admin.id, lead_data(1)).id == "ACME-2026-000001"


def test_numbers_grow_past_the_width(open_core: OpenCore) -> None:
    """With width 1, lead ten is LEAD-2026-10 and reads back under that id."""
    core = open_core(lead_id_width=1)
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    ids = [core.leads.create(admin.id, lead_data(n)).id for n in range(1, 12)]
    assert ids[8:] == ["LEAD-2026-9", "LEAD-2026-10", "LEAD-2026-11"]
    assert core.leads.get(admin.id, "LEAD-2026-10").cin == lead_data(10)["cin"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lead_id_prefix": "lead"}, "lead_id_prefix"),
        ({"lead_id_width": 0}, "lead_id_width"),
        ({"lead_id_timezone": "Mars/Olympus_Mons"}, "lead_id_timezone"),
    ],
)
def test_bad_id_settings_are_refused_at_connect(
    open_core: OpenCore, overrides: dict[str, object], field: str
) -> None:
    """connect refuses a bad prefix, width or zone with INVALID_INPUT naming the setting."""
    error = refused(ErrorCode.INVALID_INPUT, lambda: open_core(**overrides))
    assert set(error.context["fields"]) == {field}
