"""Creating and reading leads, on every store."""

from __future__ import annotations

import pytest

from leadcore import ErrorCode, LeadCore, LeadCoreError, LeadStatus
from tests.conftest import People, lead_data


def test_first_lead_of_the_year_is_number_one(core: LeadCore, people: People) -> None:
    """The first lead created in 2026 is LEAD-2026-0001 at version 1."""
    lead = core.leads.create(people.reviewer.id, lead_data())
    assert (lead.id, lead.version, lead.status) == ("LEAD-2026-0001", 1, LeadStatus.NEW)


def test_get_returns_what_create_returned(core: LeadCore, people: People) -> None:
    """A read gives an object equal to the one the write returned."""
    lead = core.leads.create(people.reviewer.id, lead_data(contact_email="ops@acme.in"))
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_duplicate_cin_is_refused_with_the_normalised_cin(core: LeadCore, people: People) -> None:
    """A second lead with the same CIN in another spelling is DUPLICATE_CIN."""
    core.leads.create(people.reviewer.id, lead_data(1))
    with pytest.raises(LeadCoreError) as caught:
        core.leads.create(people.reviewer.id, lead_data(2, cin=" u72900ka2015ptc000001 "))
    assert caught.value.code is ErrorCode.DUPLICATE_CIN
    assert caught.value.context == {"cin": "U72900KA2015PTC000001"}
