"""``import_rows`` on every store: numbering, refusals, re-runs and interrupted imports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadcore import AuditAction, ErrorCode, LeadCore, LeadCoreError
from leadcore.domain.imports import RejectedRow
from tests.batch.helpers import all_audit, lead_ids
from tests.conftest import People, lead_data


def rows(*numbers: int) -> list[dict[str, object]]:
    """Return valid import rows with the CINs of ``numbers``."""
    return [lead_data(n) for n in numbers]


def codes(rejected: list[RejectedRow]) -> list[tuple[int, ErrorCode]]:
    """Return (row number, code) of each rejected row."""
    return [(row.row_number, row.code) for row in rejected]


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_good_rows_are_numbered_gaplessly_in_input_order(
    core: LeadCore, people: People, batch_size: int
) -> None:
    """Five good rows become LEAD-2026-0001..0005, the n-th row getting number n."""
    report = core.leads.import_rows(people.reviewer.id, rows(1, 2, 3, 4, 5), batch_size)
    assert (report.imported, report.rejected) == (5, [])
    numbered = [core.leads.get(people.reviewer.id, f"LEAD-2026-{n:04d}").cin for n in range(1, 6)]
    assert numbered == [lead_data(n)["cin"] for n in range(1, 6)]


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_duplicates_within_the_input_are_rejected(
    core: LeadCore, people: People, batch_size: int
) -> None:
    """A CIN repeated later in the input (in any spelling) is DUPLICATE_CIN; the first stays."""
    again = lead_data(1, cin=f"  {str(lead_data(1)['cin']).lower()} ")
    report = core.leads.import_rows(people.reviewer.id, [*rows(1, 2), again, *rows(3)], batch_size)
    assert report.imported == 3
    assert codes(report.rejected) == [(3, ErrorCode.DUPLICATE_CIN)]
    assert "cin" in report.rejected[0].fields


def test_duplicates_of_stored_leads_are_rejected(core: LeadCore, people: People) -> None:
    """A row whose CIN a stored lead already has is DUPLICATE_CIN."""
    core.leads.create(people.reviewer.id, lead_data(2))
    report = core.leads.import_rows(people.reviewer.id, rows(1, 2, 3))
    assert report.imported == 2
    assert codes(report.rejected) == [(2, ErrorCode.DUPLICATE_CIN)]


def test_invalid_rows_are_rejected_naming_their_fields(core: LeadCore, people: People) -> None:
    """Each invalid row is INVALID_INPUT with every bad field named; good rows still import."""
    bad = [
        {"company_name": "", "cin": "not a cin"},
        lead_data(1),
        lead_data(2, contact_email="nobody"),
        lead_data(3, colour="red"),
        "not a mapping",
    ]
    report = core.leads.import_rows(people.reviewer.id, bad)
    assert report.imported == 1
    assert [(r.row_number, r.code, set(r.fields)) for r in report.rejected] == [
        (1, ErrorCode.INVALID_INPUT, {"company_name", "cin"}),
        (3, ErrorCode.INVALID_INPUT, {"contact_email"}),
        (4, ErrorCode.INVALID_INPUT, {"colour"}),
        (5, ErrorCode.INVALID_INPUT, {"row"}),
    ]


def test_a_reviewer_row_carrying_an_id_is_refused(core: LeadCore, people: People) -> None:
    """A reviewer's row carrying a legacy id is INSUFFICIENT_PERMISSIONS; the rest imports."""
    legacy = lead_data(1, id="LEAD-2026-0007")
    report = core.leads.import_rows(people.reviewer.id, [legacy, lead_data(2)])
    assert codes(report.rejected) == [(1, ErrorCode.INSUFFICIENT_PERMISSIONS)]
    assert "id" in report.rejected[0].fields
    assert lead_ids(core, people.reviewer.id) == ["LEAD-2026-0001"]


def test_legacy_ids_with_gaps_raise_the_counter_past_the_highest(
    core: LeadCore, people: People
) -> None:
    """After legacy LEAD-2026-0007 and LEAD-2026-0042, the next create is LEAD-2026-0043."""
    legacy = [lead_data(1, id="LEAD-2026-0007"), lead_data(2, id="LEAD-2026-0042")]
    report = core.leads.import_rows(people.admin.id, legacy)
    assert (report.imported, report.rejected) == (2, [])
    assert core.leads.create(people.reviewer.id, lead_data(3)).id == "LEAD-2026-0043"


def test_legacy_and_fresh_rows_in_one_batch_get_distinct_ids(
    core: LeadCore, people: People
) -> None:
    """Fresh rows beside a legacy LEAD-2026-0002 are numbered past it, not onto it."""
    batch = [lead_data(1, id="LEAD-2026-0002"), lead_data(2), lead_data(3)]
    report = core.leads.import_rows(people.admin.id, batch)
    assert (report.imported, report.rejected) == (3, [])
    assert lead_ids(core, people.admin.id) == ["LEAD-2026-0002", "LEAD-2026-0003", "LEAD-2026-0004"]
    assert core.leads.create(people.reviewer.id, lead_data(4)).id == "LEAD-2026-0005"


def test_a_legacy_id_already_in_use_is_refused(core: LeadCore, people: People) -> None:
    """A legacy id that a stored lead has is DUPLICATE_RESOURCE naming ``id``."""
    core.leads.create(people.reviewer.id, lead_data(1))
    report = core.leads.import_rows(people.admin.id, [lead_data(2, id="LEAD-2026-0001")])
    assert codes(report.rejected) == [(1, ErrorCode.DUPLICATE_RESOURCE)]
    assert "id" in report.rejected[0].fields


def test_running_the_same_input_again_imports_nothing_new(core: LeadCore, people: People) -> None:
    """A second run of the same rows imports 0, refuses each as DUPLICATE_CIN, writes nothing."""
    input_rows = [*rows(1, 2), lead_data(3, id="LEAD-2026-0009")]
    core.leads.import_rows(people.admin.id, input_rows)
    before = (lead_ids(core, people.admin.id), len(all_audit(core, people.admin.id)))
    report = core.leads.import_rows(people.admin.id, input_rows)
    assert report.imported == 0
    assert codes(report.rejected) == [(n, ErrorCode.DUPLICATE_CIN) for n in (1, 2, 3)]
    assert (lead_ids(core, people.admin.id), len(all_audit(core, people.admin.id))) == before


def test_each_imported_lead_has_one_lead_created_entry(core: LeadCore, people: People) -> None:
    """An import writes exactly one LEAD_CREATED entry per lead, by the importing actor."""
    core.leads.import_rows(people.reviewer.id, rows(1, 2, 3), batch_size=2)
    entries = all_audit(core, people.admin.id, action="LEAD_CREATED")
    assert sorted(e.lead_id or "" for e in entries) == lead_ids(core, people.admin.id)
    assert {e.actor_id for e in entries} == {people.reviewer.id}


def test_an_interrupted_import_keeps_whole_batches_and_consumes_no_number(
    core: LeadCore, people: People
) -> None:
    """A row source failing at row 8 (batches of 3) leaves rows 1-6, each audited once."""

    def source() -> Iterator[dict[str, object]]:
        yield from rows(1, 2, 3, 4, 5, 6, 7)
        raise OSError("the disk went away")

    with pytest.raises(LeadCoreError) as caught:
        core.leads.import_rows(people.reviewer.id, source(), batch_size=3)
    assert isinstance(caught.value.__cause__, OSError)
    ids = lead_ids(core, people.admin.id)
    assert ids == [f"LEAD-2026-{n:04d}" for n in range(1, 7)]
    for lead_id in ids:
        trail = core.audit.for_lead(people.admin.id, lead_id)
        assert [e.action for e in trail] == [AuditAction.LEAD_CREATED]
    assert core.leads.create(people.reviewer.id, lead_data(7)).id == "LEAD-2026-0007"


def test_a_bad_batch_size_is_invalid_input(core: LeadCore, people: People) -> None:
    """A batch size below 1 is refused with INVALID_INPUT naming ``batch_size``."""
    with pytest.raises(LeadCoreError) as caught:
        core.leads.import_rows(people.reviewer.id, rows(1), batch_size=0)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert "batch_size" in caught.value.context["fields"]


def test_an_assessor_may_not_import(core: LeadCore, people: People) -> None:
    """An ASSESSOR's import is refused with INSUFFICIENT_PERMISSIONS before any row is read."""
    with pytest.raises(LeadCoreError) as caught:
        core.leads.import_rows(people.assessor.id, rows(1))
    assert caught.value.code is ErrorCode.INSUFFICIENT_PERMISSIONS
    assert lead_ids(core, people.admin.id) == []
