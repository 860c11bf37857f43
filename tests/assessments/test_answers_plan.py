"""On PostgreSQL, ``answers_for_question`` reads the answers through their question index.

A fresh database gets 20,000 answer rows (1,000 leads x 20 questions, every fifth lead
with a second revision) inserted straight into leadcore's tables, is ANALYZEd, and the
planner is asked about the very statements the adapter runs. No skip: without a server
the test fails, as every PostgreSQL test does (see tests/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from benchmarks.answers import BULK_ANSWERS, BULK_ASSESSMENTS, BULK_LEADS
from sqlalchemy.engine import make_url

from leadcore import LeadCore, Role
from leadcore.adapters.sql.assessments import (
    ANSWERS_FOR_QUESTION,
    ANSWERS_FOR_QUESTION_OF_ASSESSOR,
)
from tests.conftest import FakeClock, connect_for_tests

pytestmark = pytest.mark.postgres

LEADS = 1_000
QUESTIONS = [f"q{n:02d}" for n in range(20)]
QUESTION_INDEX = "ix_answers_question_id_lead_id"

# Revision 1 for every lead; every fifth lead was rejected once and has a revision 2; one
# answer per assessment and question, whose value (a JSON number) tells the revision.


def psycopg_dsn(url: str) -> str:
    """Return the libpq form of a leadcore PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LeadCore, str, str]]:
    """A PostgreSQL core with the bulk answers, analysed; yields (core, dsn, admin id)."""
    with connect_for_tests("postgres", tmp_path_factory, FakeClock()) as core:
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        assessor = core.users.create(
            admin.id, {"email": "assessor@example.in", "name": "Sita", "role": Role.ASSESSOR}
        )
        core.assessments.set_questionnaire(
            admin.id, [{"id": q, "text": f"Question {q}", "type": "number"} for q in QUESTIONS]
        )
        dsn = psycopg_dsn(core.url)
        params: dict[str, Any] = {
            "admin": admin.id,
            "assessor": assessor.id,
            "leads": LEADS,
            "questions": QUESTIONS,
        }
        with psycopg.connect(dsn, autocommit=True) as conn:
            for sql in (BULK_LEADS, BULK_ASSESSMENTS, BULK_ANSWERS):
                conn.execute(sql.encode(), params)
            conn.execute(b"ANALYZE")
            count = conn.execute(b"SELECT count(*) FROM answers").fetchone()
        assert count == (LEADS * len(QUESTIONS) * 6 // 5,)
        yield core, dsn, admin.id


def plan_of(dsn: str, sql: str, params: dict[str, Any]) -> str:
    """Return PostgreSQL's plan of ``sql`` (a leadcore statement with :named parameters)."""
    with psycopg.connect(dsn) as conn:
        # The adapter's statements use SQLAlchemy's :name; psycopg wants %(name)s.
        for name in params:
            sql = sql.replace(f":{name}", f"%({name})s")
        rows = conn.execute(f"EXPLAIN (COSTS OFF) {sql}".encode(), params).fetchall()
    return "\n".join(str(row[0]) for row in rows)


def uses_question_index(plan: str) -> bool:
    """Say whether the plan reads ``answers`` through its question index, never whole."""
    scans = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
    by_index = any(
        scan in line and QUESTION_INDEX in line for line in plan.splitlines() for scan in scans
    )
    return by_index and "Seq Scan on answers" not in plan


def test_answers_for_question_uses_the_question_index(
    loaded: tuple[LeadCore, str, str],
) -> None:
    """The planner reads one question's answers through the index, not the whole table."""
    _core, dsn, _admin = loaded
    plan = plan_of(dsn, ANSWERS_FOR_QUESTION, {"question_id": "q07"})
    assert uses_question_index(plan), plan


def test_an_assessors_answers_for_question_use_the_question_index(
    loaded: tuple[LeadCore, str, str],
) -> None:
    """An assessor holding every lead is served through the question index too."""
    core, dsn, admin = loaded
    assessor = core.users.list(admin).items[-1]
    assert assessor.role is Role.ASSESSOR
    params = {"question_id": "q07", "assessor_id": assessor.id}
    plan = plan_of(dsn, ANSWERS_FOR_QUESTION_OF_ASSESSOR, params)
    assert uses_question_index(plan), plan


def test_answers_for_question_returns_the_latest_revision_of_every_lead(
    loaded: tuple[LeadCore, str, str],
) -> None:
    """On the bulk data the service answers one row per lead, from its highest revision."""
    core, _dsn, admin = loaded
    answers = core.assessments.answers_for_question(admin, "q07")
    assert len(answers) == LEADS
    assert [a.lead_id for a in answers] == sorted(a.lead_id for a in answers)
    for answer in answers:
        number = int(answer.lead_id.removeprefix("BULK-"))
        revision = 2 if number % 5 == 0 else 1
        assert answer.assessment_id == f"BULK-A-{number}-{revision}"
        assert answer.value == json.loads(str(revision * 1000 + len(answer.lead_id)))
