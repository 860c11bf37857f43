"""Statement and lock timeouts are settings: a stuck lock becomes a retryable
DATABASE_ERROR after about the timeout, never a hang."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from leadcore import ErrorCode, Lead, LeadCore
from leadcore.adapters.sql import Database, SqlUnitOfWork
from leadcore.ports.unit_of_work import Intent
from leadcore.settings import Settings
from tests.conftest import lead_data
from tests.faults.conftest import Stage
from tests.faults.helpers import open_core, read_ledger, refusal, side_door

pytestmark = pytest.mark.postgres

TIMEOUT = 0.3  # seconds
# Each kind of timeout: the settings that leave only it to end a wait, and its SQLSTATE.
KINDS = {
    "lock": ({"lock_timeout_seconds": TIMEOUT, "statement_timeout_seconds": 0}, "55P03"),
    "statement": ({"lock_timeout_seconds": 0, "statement_timeout_seconds": TIMEOUT}, "57014"),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    """Which timeout is on."""
    return str(request.param)


@pytest.fixture
def timed_core(stage: Stage, kind: str) -> Iterator[LeadCore]:
    """A core with only the timeout under test."""
    with open_core(stage.url, **KINDS[kind][0]) as connected:
        yield connected


@pytest.fixture
def lead(stage: Stage, timed_core: LeadCore) -> Lead:
    """One lead, version 1."""
    return timed_core.leads.create(stage.reviewer.id, lead_data(1))


def stuck_update(stage: Stage, core: LeadCore, lead: Lead) -> tuple[float, dict[str, object]]:
    """Update ``lead`` while another session holds its row; return (seconds, error context)."""
    with side_door(stage.url, autocommit=False) as holder:
        holder.execute(b"SELECT 1 FROM leads WHERE id = %(id)s FOR UPDATE", {"id": lead.id})
        started = time.monotonic()
        error = refusal(
            core.leads.update, stage.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1
        )
        elapsed = time.monotonic() - started
        holder.rollback()
    assert error.code is ErrorCode.DATABASE_ERROR
    return elapsed, error.context


def test_a_stuck_row_lock_ends_in_a_retryable_database_error_after_the_timeout(
    stage: Stage, timed_core: LeadCore, lead: Lead, kind: str
) -> None:
    """The update waits about the timeout, then fails retryable with the timeout's SQLSTATE."""
    elapsed, context = stuck_update(stage, timed_core, lead)
    assert (context["retryable"], context["reason"], context["sqlstate"]) == (
        True,
        "busy",
        KINDS[kind][1],
    )
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + 3


def test_a_timed_out_update_changes_nothing_and_the_core_goes_on(
    stage: Stage, timed_core: LeadCore, lead: Lead
) -> None:
    """After the timeout the lead is untouched, and the same update succeeds once unlocked."""
    stuck_update(stage, timed_core, lead)
    assert read_ledger(stage.url).versions == {lead.id: 1}
    updated = timed_core.leads.update(
        stage.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1
    )
    assert (updated.version, read_ledger(stage.url).breaks()) == (2, [])


def test_the_lock_timeout_is_off_by_default() -> None:
    """By default only the statement timeout bounds a wait for a lock."""
    assert (Settings().lock_timeout_seconds, Settings().statement_timeout_seconds > 0) == (0, True)


def test_a_negative_lock_timeout_is_invalid_input() -> None:
    """lock_timeout_seconds below 0 is refused, naming the setting."""
    error = refusal(open_core, "memory://", lock_timeout_seconds=-1)
    assert (error.code, list(error.context["fields"])) == (
        ErrorCode.INVALID_INPUT,
        ["lock_timeout_seconds"],
    )


def session_setting(core: LeadCore, name: str) -> str:
    """Return a setting of the session a unit of work of ``core`` runs on."""
    database = core.container.sql_database()
    assert isinstance(database, Database)
    with SqlUnitOfWork(database, Intent.READ) as uow:
        return str(uow.one("SELECT current_setting(%(name)s)", {"name": name})[0])


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0"), (0.0001, "1ms"), (2.5, "2500ms"), (60, "1min")]
)
def test_both_timeouts_are_set_on_every_session_and_never_round_to_off(
    stage: Stage, seconds: float, shown: str
) -> None:
    """The session shows the configured timeouts; a tiny positive one is 1 ms, not off."""
    settings = {"lock_timeout_seconds": seconds, "statement_timeout_seconds": seconds}
    with open_core(stage.url, **settings) as core:
        shown_now = [session_setting(core, name) for name in ("lock_timeout", "statement_timeout")]
    assert shown_now == [shown, shown]
