"""Rate limits with a fake clock, on every store: refused calls write nothing; windows reopen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import attrs
import pytest

import leadcore
from leadcore import ErrorCode, LeadCore, LeadCoreError, Role, User
from tests.batch.conftest import OpenCore
from tests.batch.helpers import all_audit, lead_ids
from tests.conftest import FakeClock, lead_data

WINDOW = timedelta(minutes=1)


@attrs.frozen
class Limited:
    """A core allowing 3 writes and 1 import per actor and minute, and its cast."""

    core: LeadCore
    admin: User
    ravi: User
    meena: User


@pytest.fixture
def limited(open_core: OpenCore, clock: FakeClock) -> Limited:
    """A rate-limited core with an admin and two reviewers, at the start of a fresh window."""
    core = open_core(
        rate_limits_enabled=True, rate_limit_write="3/minute", rate_limit_import="1/minute"
    )
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    ravi = core.users.create(
        admin.id, {"email": "ravi@example.in", "name": "Ravi", "role": Role.REVIEWER}
    )
    meena = core.users.create(
        admin.id, {"email": "meena@example.in", "name": "Meena", "role": Role.REVIEWER}
    )
    clock.set(clock.current + WINDOW)  # the set-up's writes count in the window before
    return Limited(core, admin, ravi, meena)


def refusal(call: Callable[[], object]) -> LeadCoreError:
    """Return the RATE_LIMITED error ``call()`` raises."""
    with pytest.raises(LeadCoreError) as caught:
        call()
    assert caught.value.code is ErrorCode.RATE_LIMITED
    return caught.value


def test_the_fourth_write_in_a_window_is_rate_limited(limited: Limited) -> None:
    """After 3 creates in a minute the 4th is RATE_LIMITED, HTTP 429, with retry_after_seconds."""
    for n in range(1, 4):
        limited.core.leads.create(limited.ravi.id, lead_data(n))
    error = refusal(lambda: limited.core.leads.create(limited.ravi.id, lead_data(4)))
    assert error.http_status == 429
    assert 0 < error.context["retry_after_seconds"] <= WINDOW.total_seconds()


def test_a_rate_limited_write_changes_nothing(limited: Limited, clock: FakeClock) -> None:
    """The refused create leaves no lead, no audit entry and no consumed number."""
    for n in range(1, 4):
        limited.core.leads.create(limited.ravi.id, lead_data(n))
    refusal(lambda: limited.core.leads.create(limited.ravi.id, lead_data(4)))
    assert len(lead_ids(limited.core, limited.admin.id)) == 3
    assert len(all_audit(limited.core, limited.admin.id, action="LEAD_CREATED")) == 3
    clock.set(clock.current + WINDOW)
    assert limited.core.leads.create(limited.ravi.id, lead_data(4)).id == "LEAD-2026-0004"


def test_the_next_window_lets_the_actor_write_again(limited: Limited, clock: FakeClock) -> None:
    """Once the fake clock passes the window, the refused actor's next write goes through."""
    lead = limited.core.leads.create(limited.ravi.id, lead_data(1))
    for version in (1, 2):
        lead = limited.core.leads.update(
            limited.ravi.id, lead.id, {"city": f"City {version}"}, expected_version=version
        )
    refusal(
        lambda: limited.core.leads.update(
            limited.ravi.id, lead.id, {"city": "X"}, expected_version=3
        )
    )
    clock.set(clock.current + WINDOW)
    moved = limited.core.leads.update(limited.ravi.id, lead.id, {"city": "X"}, expected_version=3)
    assert (moved.city, moved.version) == ("X", 4)


def test_limits_are_counted_per_actor(limited: Limited) -> None:
    """One reviewer at the limit does not stop another from writing."""
    for n in range(1, 4):
        limited.core.leads.create(limited.ravi.id, lead_data(n))
    refusal(lambda: limited.core.leads.create(limited.ravi.id, lead_data(4)))
    assert limited.core.leads.create(limited.meena.id, lead_data(5)).id == "LEAD-2026-0004"


def test_an_admin_import_is_never_limited(limited: Limited) -> None:
    """An ADMIN runs three imports of five rows in one minute (limits: 1 import, 3 writes)."""
    for start in (1, 6, 11):
        rows = [lead_data(n) for n in range(start, start + 5)]
        assert limited.core.leads.import_rows(limited.admin.id, rows).imported == 5
    assert len(lead_ids(limited.core, limited.admin.id)) == 15


def test_a_second_reviewer_import_in_a_window_is_refused(limited: Limited) -> None:
    """A reviewer's second import in the minute is RATE_LIMITED and imports nothing."""
    assert limited.core.leads.import_rows(limited.ravi.id, [lead_data(1)]).imported == 1
    refusal(lambda: limited.core.leads.import_rows(limited.ravi.id, [lead_data(2)]))
    assert lead_ids(limited.core, limited.admin.id) == ["LEAD-2026-0001"]


def test_the_default_settings_limit_each_actors_writes_per_second() -> None:
    """By default the 201st write by one actor within one second is refused."""
    clock = FakeClock()
    with leadcore.connect("memory://", clock=clock) as core:
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        ravi = core.users.create(
            admin.id, {"email": "ravi@example.in", "name": "Ravi", "role": Role.REVIEWER}
        )
        clock.set(clock.current.replace(microsecond=0) + timedelta(seconds=1))
        for n in range(1, 201):
            core.leads.create(ravi.id, lead_data(n))
        refusal(lambda: core.leads.create(ravi.id, lead_data(201)))
        assert core.leads.list(ravi.id, limit=1000).items[-1].id == "LEAD-2026-0200"
