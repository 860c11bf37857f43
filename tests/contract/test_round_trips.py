"""What goes into a store comes back unchanged: unicode names and every field, every store."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings

from leadcore import LeadCore
from tests import strategies
from tests.conftest import People, lead_data
from tests.contract.helpers import all_leads

# The core is shared by the examples of one test: each example takes a fresh CIN.
_fresh_numbers = itertools.count(100_000)
ROUND_TRIP = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("name", strategies.UNICODE_COMPANY_NAMES)
def test_a_unicode_company_name_round_trips(core: LeadCore, people: People, name: str) -> None:
    """Devanagari, Tamil, emoji and right-to-left marks are stored and read back unchanged."""
    lead = core.leads.create(people.reviewer.id, lead_data(company_name=name))
    assert lead.company_name == name
    assert core.leads.get(people.reviewer.id, lead.id).company_name == name
    assert [x.company_name for x in all_leads(core, people.reviewer.id)] == [name]
    assert json.loads(json.dumps(lead.to_dict()))["company_name"] == name


def test_length_limits_count_characters_not_bytes(core: LeadCore, people: People) -> None:
    """200 emoji (800 bytes of UTF-8) fit company_name's 200; notes of 2000 characters fit."""
    lead = core.leads.create(
        people.reviewer.id,
        lead_data(company_name="\U0001f680" * 200, notes="\u0928\n" * 1000),
    )
    assert core.leads.get(people.reviewer.id, lead.id) == lead
    assert (len(lead.company_name), len(lead.notes or "")) == (200, 1999)


def test_unicode_in_an_update_is_audited_unchanged(core: LeadCore, people: People) -> None:
    """The audit entry of a renamed company holds the new unicode name exactly."""
    lead = core.leads.create(people.reviewer.id, lead_data())
    name = strategies.UNICODE_COMPANY_NAMES[3]
    core.leads.update(people.reviewer.id, lead.id, {"company_name": name}, expected_version=1)
    entry = core.audit.for_lead(people.reviewer.id, lead.id)[-1]
    assert entry.new == {"company_name": name}


@ROUND_TRIP
@given(data=strategies.lead_inputs)
def test_any_valid_lead_round_trips_through_the_store(
    core: LeadCore, people: People, data: dict[str, str]
) -> None:
    """Every field of a generated valid lead reads back exactly as given."""
    data = {**data, "cin": strategies.pool_cin(next(_fresh_numbers))}
    lead = core.leads.create(people.reviewer.id, data)
    stored = core.leads.get(people.reviewer.id, lead.id)
    assert stored == lead
    assert {field: getattr(stored, field) for field in data} == data


@ROUND_TRIP
@given(name=strategies.company_names, notes=strategies.notes)
def test_any_valid_update_round_trips_through_the_store(
    core: LeadCore, people: People, name: str, notes: str
) -> None:
    """A generated name and multi-line notes survive an update and a read."""
    lead = core.leads.create(
        people.reviewer.id, lead_data(next(_fresh_numbers), company_name="Before")
    )
    updated = core.leads.update(
        people.reviewer.id, lead.id, {"company_name": name, "notes": notes}, expected_version=1
    )
    stored = core.leads.get(people.reviewer.id, lead.id)
    assert stored == updated
    assert (stored.company_name, stored.notes) == (name, notes)
