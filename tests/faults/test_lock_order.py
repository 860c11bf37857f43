"""Every write that touches a lead's row takes it before any other row it changes.

A write that moves the lead (submit, approve, reassign) locks the lead's row and then
the assessment's; a write that changes only the assessment or a document still advances
the lead's audit chain, whose head is the lead's row. If such a write took its own row
first, the two would wait on each other and PostgreSQL would end one with a deadlock.
Each test holds the lead's row through a side door, lets the write queue behind it, and
then changes the write's own row from the side door: that must not wait.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from leadcore import LeadCore
from tests.assessments.helpers import COMPLETE
from tests.faults.conftest import Stage, Worked
from tests.faults.helpers import WAIT, blocked_by, side_door

pytestmark = pytest.mark.postgres


def queue_behind_the_lead(
    stage: Stage, worked: Worked, write: Callable[[], Any], own_row: bytes
) -> Any:
    """Hold the lead's row, start ``write``, then touch ``own_row``; return its result.

    ``own_row`` is an UPDATE of the row ``write`` changes; it runs under a lock timeout,
    so a write that took that row first fails the test instead of deadlocking it.
    """
    with side_door(stage.url, autocommit=False) as holder:
        holder.execute(
            b"SELECT 1 FROM leads WHERE id = %(id)s FOR NO KEY UPDATE", {"id": worked.lead_id}
        )
        holder_pid = holder.execute(b"SELECT pg_backend_pid()").fetchone()
        assert holder_pid is not None
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(write)
            blocked_by(stage.url, int(holder_pid[0]))
            holder.execute(f"SET LOCAL lock_timeout = '{int(WAIT)}s'".encode())
            touched = holder.execute(own_row, {"id": worked.lead_id})
            assert touched.rowcount == 1
            holder.commit()
            return pending.result(timeout=WAIT)


def test_saving_answers_takes_the_leads_row_before_the_assessments(
    stage: Stage, core: LeadCore, worked: Worked
) -> None:
    """save_answers waits for the lead's row without holding the assessment's."""
    saved = queue_behind_the_lead(
        stage,
        worked,
        lambda: core.assessments.save_answers(
            worked.assessor.id, worked.assessment_id, COMPLETE, expected_version=1
        ),
        b"UPDATE assessments SET version = version WHERE lead_id = %(id)s",
    )

    assert saved.version == 2


def test_deleting_a_document_takes_the_leads_row_before_the_documents(
    stage: Stage, core: LeadCore, worked: Worked
) -> None:
    """documents.delete waits for the lead's row without holding the document's."""
    deleted = queue_behind_the_lead(
        stage,
        worked,
        lambda: core.documents.delete(worked.assessor.id, worked.document_id),
        b"UPDATE documents SET size = size WHERE lead_id = %(id)s",
    )

    assert deleted.deleted_at is not None
