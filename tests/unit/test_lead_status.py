"""The lead status machine: every (from, to) pair, allowed exactly when DESIGN.md lists it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from leadcore import ErrorCode, LeadCoreError, LeadStatus
from leadcore.domain.leads import TERMINAL, Lead, LeadEvent, can_move, next_status

NEW, ASSIGNED, IN_PROGRESS, SUBMITTED, COMPLETED, CANCELLED = (
    LeadStatus.NEW,
    LeadStatus.ASSIGNED,
    LeadStatus.IN_PROGRESS,
    LeadStatus.SUBMITTED,
    LeadStatus.COMPLETED,
    LeadStatus.CANCELLED,
)

# The table of DESIGN.md, written out independently of the code: (from, event, to).
DESIGN_TABLE: frozenset[tuple[LeadStatus, LeadEvent, LeadStatus]] = frozenset(
    {
        (NEW, LeadEvent.ASSIGN, ASSIGNED),
        (ASSIGNED, LeadEvent.ASSIGN, ASSIGNED),
        (ASSIGNED, LeadEvent.START, IN_PROGRESS),
        (IN_PROGRESS, LeadEvent.ASSIGN, IN_PROGRESS),  # issue 4: reassign hands a DRAFT over
        (IN_PROGRESS, LeadEvent.SUBMIT, SUBMITTED),
        (SUBMITTED, LeadEvent.APPROVE, COMPLETED),
        (SUBMITTED, LeadEvent.REJECT, IN_PROGRESS),
        (NEW, LeadEvent.CANCEL, CANCELLED),
        (ASSIGNED, LeadEvent.CANCEL, CANCELLED),
        (IN_PROGRESS, LeadEvent.CANCEL, CANCELLED),
        (SUBMITTED, LeadEvent.CANCEL, CANCELLED),
    }
)
ALLOWED_PAIRS = frozenset((current, target) for current, _, target in DESIGN_TABLE)
ALL_PAIRS = list(itertools.product(LeadStatus, LeadStatus))
AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def a_lead(status: LeadStatus, assessor_id: str | None = None) -> Lead:
    """Return a lead in ``status`` at version 3."""
    return Lead(
        id="LEAD-2026-0001",
        cin="U72900KA2015PTC000001",
        company_name="Acme",
        contact_name=None,
        contact_email=None,
        contact_phone=None,
        city=None,
        state=None,
        notes=None,
        status=status,
        assessor_id=assessor_id,
        created_by="u-1",
        created_at=AT,
        updated_at=AT,
        version=3,
    )


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_a_move_is_allowed_exactly_when_the_design_table_lists_it(
    current: LeadStatus, target: LeadStatus
) -> None:
    """can_move says yes for the pairs of the table and no for every other pair."""
    assert can_move(current, target) is ((current, target) in ALLOWED_PAIRS)


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_event_reaches_only_the_targets_of_the_table(
    current: LeadStatus, target: LeadStatus
) -> None:
    """next_status returns the target for a listed (from, event, to) and refuses all others."""
    for event in LeadEvent:
        if (current, event, target) in DESIGN_TABLE:
            assert next_status(current, event, target) is target
        else:
            with pytest.raises(LeadCoreError) as caught:
                next_status(current, event, target)
            assert caught.value.code is ErrorCode.INVALID_STATUS_TRANSITION
            assert caught.value.context == {"from": current.value, "to": target.value}


@pytest.mark.parametrize("terminal", [COMPLETED, CANCELLED])
def test_completed_and_cancelled_are_terminal(terminal: LeadStatus) -> None:
    """No move leaves COMPLETED or CANCELLED."""
    assert terminal in TERMINAL
    assert not any(can_move(terminal, target) for target in LeadStatus)


@pytest.mark.parametrize("status", [NEW, ASSIGNED])
def test_assigning_a_new_or_assigned_lead_makes_it_assigned(status: LeadStatus) -> None:
    """Lead.assigned sets the assessor and ASSIGNED, one version later."""
    lead = a_lead(status, assessor_id="old" if status is ASSIGNED else None)
    later = datetime(2026, 3, 15, tzinfo=UTC)
    assigned = lead.assigned("s-1", later)
    assert (assigned.status, assigned.assessor_id, assigned.version, assigned.updated_at) == (
        ASSIGNED,
        "s-1",
        4,
        later,
    )


# IN_PROGRESS may be reassigned since issue 4 (the DRAFT assessment is handed over).
@pytest.mark.parametrize("status", [SUBMITTED, COMPLETED, CANCELLED])
def test_assigning_a_lead_past_assignment_is_an_invalid_transition(status: LeadStatus) -> None:
    """Lead.assigned refuses SUBMITTED, COMPLETED and CANCELLED, naming from and to."""
    with pytest.raises(LeadCoreError) as caught:
        a_lead(status).assigned("s-1", AT)
    assert caught.value.code is ErrorCode.INVALID_STATUS_TRANSITION
    assert caught.value.context == {"from": status.value, "to": "ASSIGNED"}


@pytest.mark.parametrize("status", [NEW, ASSIGNED, IN_PROGRESS, SUBMITTED])
def test_cancelling_an_open_lead_moves_it_to_cancelled(status: LeadStatus) -> None:
    """Lead.moved with CANCEL reaches CANCELLED from every open status."""
    moved = a_lead(status).moved(LeadEvent.CANCEL, CANCELLED, AT)
    assert (moved.status, moved.version) == (CANCELLED, 4)


def test_a_refused_move_leaves_the_lead_as_it_was() -> None:
    """A refused transition raises and the original (frozen) lead keeps its status."""
    lead = a_lead(COMPLETED)
    with pytest.raises(LeadCoreError):
        lead.moved(LeadEvent.CANCEL, CANCELLED, AT)
    assert (lead.status, lead.version) == (COMPLETED, 3)
