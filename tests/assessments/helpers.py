"""Helpers of the assessment and document tests: refusals, a questionnaire, a worked lead."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from leadcore import Assessment, AuditEntry, ErrorCode, Lead, LeadCore, LeadCoreError, User
from tests.conftest import People, lead_data
from tests.contract.helpers import refused as refused  # the suites here import it from here

# The questionnaire most tests use: one question of each type, two of them required.
QUESTIONS: list[dict[str, Any]] = [
    {"id": "employees", "text": "How many employees?", "type": "number", "required": True},
    {
        "id": "sector",
        "text": "Which sector?",
        "type": "choice",
        "required": True,
        "choices": ["IT", "Manufacturing"],
    },
    {"id": "exporter", "text": "Does it export?", "type": "boolean"},
    {"id": "remarks", "text": "Anything else?", "type": "text"},
]
# Answers to every required question of QUESTIONS.
COMPLETE = {"employees": 120, "sector": "IT"}


def assigned_lead(core: LeadCore, people: People, n: int = 1, assessor: User | None = None) -> Lead:
    """Return a new lead (CIN number ``n``) assigned to ``assessor`` (people.assessor)."""
    lead = core.leads.create(people.reviewer.id, lead_data(n))
    chosen = assessor or people.assessor
    return core.leads.assign_assessor(people.reviewer.id, lead.id, chosen.id, expected_version=1)


def submitted_assessment(core: LeadCore, assessor: User, lead: Lead) -> Assessment:
    """Start, answer completely and submit the lead's assessment; return it (version 3)."""
    draft = core.assessments.start(assessor.id, lead.id)
    answered = core.assessments.save_answers(
        assessor.id, draft.id, COMPLETE, expected_version=draft.version
    )
    return core.assessments.submit(assessor.id, answered.id, expected_version=answered.version)


def lead_history(core: LeadCore, people: People, lead_id: str) -> list[AuditEntry]:
    """Return the lead's audit trail, oldest first, as the admin sees it."""
    return core.audit.for_lead(people.admin.id, lead_id)


def run_together(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` in threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            outcomes[index] = call()
        except LeadCoreError as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a call did not return in 30 s"
    return outcomes


def codes(outcomes: Sequence[object]) -> list[ErrorCode]:
    """Return the error codes among ``outcomes``."""
    return [o.code for o in outcomes if isinstance(o, LeadCoreError)]
