"""Every write that touches a lead's row takes it before any other row it changes.

A write that moves the lead (submit, approve, reassign) locks the lead's row and then
the assessment's; a write that changes only the assessment or a document still advances
the lead's audit chain, whose head is the lead's row. If such a write took its own row
first, the two would wait on each other and PostgreSQL would end one with a deadlock.
Each test holds the lead's row through a side door, lets the write queue behind it, and
then changes the write's own row from the side door: that must not wait. The write runs
without conflict re-runs, which would otherwise hide a deadlock by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from leadcore import LeadCore
from tests.assessments.helpers import COMPLETE
from tests.faults.conftest import Stage, Worked
from tests.faults.helpers import interleave, open_core

pytestmark = pytest.mark.postgres


HOLD_LEAD = b"SELECT 1 FROM leads WHERE id = %(id)s FOR NO KEY UPDATE"


@pytest.fixture
def strict(stage: Stage) -> Iterator[LeadCore]:
    """A core on the stage's database that never re-runs a command after a deadlock."""
    with open_core(stage.url, retry_attempts=0) as connected:
        yield connected


def queue_behind_the_lead(
    stage: Stage, worked: Worked, write: Callable[[], Any], own_row: bytes
) -> Any:
    """Hold the lead's row, start ``write``, then change ``own_row``; return its result.

    A write that took its own row first would deadlock with the side door and fail.
    """
    return interleave(stage.url, write, HOLD_LEAD, own_row, {"id": worked.lead_id}).result()


def test_saving_answers_takes_the_leads_row_before_the_assessments(
    stage: Stage, strict: LeadCore, worked: Worked
) -> None:
    """save_answers waits for the lead's row without holding the assessment's."""
    saved = queue_behind_the_lead(
        stage,
        worked,
        lambda: strict.assessments.save_answers(
            worked.assessor.id, worked.assessment_id, COMPLETE, expected_version=1
        ),
        b"UPDATE assessments SET version = version WHERE lead_id = %(id)s",
    )

    assert saved.version == 2


def test_deleting_a_document_takes_the_leads_row_before_the_documents(
    stage: Stage, strict: LeadCore, worked: Worked
) -> None:
    """documents.delete waits for the lead's row without holding the document's."""
    deleted = queue_behind_the_lead(
        stage,
        worked,
        lambda: strict.documents.delete(worked.assessor.id, worked.document_id),
        b"UPDATE documents SET size = size WHERE lead_id = %(id)s",
    )

    assert deleted.deleted_at is not None
