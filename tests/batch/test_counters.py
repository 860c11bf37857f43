"""``rebuild_counters`` on every store: the highest number in use, never a COUNT."""

from __future__ import annotations

import pytest

from leadcore import ErrorCode, LeadCore, LeadCoreError
from tests.conftest import People, lead_data


def test_rebuild_returns_the_highest_number_of_each_year(core: LeadCore, people: People) -> None:
    """Legacy leads of 2025 and 2026 with gaps give {2025: 3, 2026: 42}, not their counts."""
    legacy = [
        lead_data(1, id="LEAD-2025-0003", created_at="2025-06-01T10:00:00+00:00"),
        lead_data(2, id="LEAD-2026-0007"),
        lead_data(3, id="LEAD-2026-0042"),
    ]
    core.leads.import_rows(people.admin.id, legacy)
    assert core.leads.rebuild_counters(people.admin.id) == {2025: 3, 2026: 42}


def test_rebuild_never_reissues_an_id(core: LeadCore, people: People) -> None:
    """After a rebuild over ids with gaps, the next create still follows the highest id."""
    core.leads.import_rows(
        people.admin.id, [lead_data(1, id="LEAD-2026-0007"), lead_data(2, id="LEAD-2026-0042")]
    )
    core.leads.create(people.reviewer.id, lead_data(3))
    assert core.leads.rebuild_counters(people.admin.id) == {2026: 43}
    assert core.leads.create(people.reviewer.id, lead_data(4)).id == "LEAD-2026-0044"


def test_rebuild_on_an_empty_store_returns_nothing(core: LeadCore, people: People) -> None:
    """With no leads there is no counter to rebuild."""
    assert core.leads.rebuild_counters(people.admin.id) == {}


def test_rebuild_is_for_admins_only(core: LeadCore, people: People) -> None:
    """A reviewer's rebuild is refused with INSUFFICIENT_PERMISSIONS."""
    with pytest.raises(LeadCoreError) as caught:
        core.leads.rebuild_counters(people.reviewer.id)
    assert caught.value.code is ErrorCode.INSUFFICIENT_PERMISSIONS
