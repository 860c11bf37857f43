"""Fixtures of the fault-injection tests: a fresh PostgreSQL database and its cast.

The server comes from the suite's conftest (LEADCORE_TEST_DATABASE_URL or an embedded
one); without one these tests fail, unless LEADCORE_SKIP_POSTGRES=1 skips them.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator

import attrs
import pytest

from leadcore import LeadCore, Role, User
from tests.assessments.helpers import QUESTIONS
from tests.authz.matrix import PDF
from tests.conftest import lead_data, store_url
from tests.faults.helpers import open_core


@attrs.frozen
class Stage:
    """A fresh PostgreSQL database with an admin and a reviewer (made by the parent)."""

    url: str
    admin: User
    reviewer: User


@pytest.fixture
def stage(tmp_path_factory: pytest.TempPathFactory) -> Stage:
    """A migrated PostgreSQL database with its cast, no core left open."""
    url = store_url("postgres", tmp_path_factory)
    with open_core(url) as core:
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        reviewer = core.users.create(
            admin.id, {"email": "reviewer@example.in", "name": "Ravi", "role": Role.REVIEWER}
        )
    return Stage(url, admin, reviewer)


@pytest.fixture
def core(stage: Stage) -> Iterator[LeadCore]:
    """A LeadCore on the stage's database, kept for the whole test (one pool)."""
    with open_core(stage.url) as connected:
        yield connected


@attrs.frozen
class Worked:
    """A lead with a draft assessment and a document, and its assessor."""

    lead_id: str
    assessment_id: str
    document_id: str
    assessor: User


@pytest.fixture
def worked(stage: Stage, core: LeadCore) -> Worked:
    """A lead assigned to an assessor who started its assessment and uploaded a file."""
    assessor = core.users.create(
        stage.admin.id, {"email": "assessor@example.in", "name": "Meera", "role": Role.ASSESSOR}
    )
    core.assessments.set_questionnaire(stage.admin.id, QUESTIONS)
    lead = core.leads.create(stage.reviewer.id, lead_data(1))
    core.leads.assign_assessor(stage.reviewer.id, lead.id, assessor.id, expected_version=1)
    draft = core.assessments.start(assessor.id, lead.id)
    document = core.documents.upload(assessor.id, lead.id, "r.pdf", PDF, "application/pdf")
    return Worked(lead.id, draft.id, document.id, assessor)


@pytest.fixture(autouse=True)
def _no_leftover_children() -> Iterator[None]:
    """Each fault test reaps every process it forked."""
    yield
    assert mp.active_children() == []
