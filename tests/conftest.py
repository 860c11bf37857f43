"""Test session set-up: Hypothesis profiles and the ``core`` fixture over every store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, settings

import leadcore
from leadcore import LeadCore, Role, User

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Every store the contract suite runs on. The SQL adapters add "sqlite" and "postgres".
STORES = ["memory"]


class FakeClock:
    """A clock the test moves by hand; starts at a fixed instant in UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the current fake time, one microsecond later each call (strictly rising)."""
        self.current += timedelta(microseconds=1)
        return self.current

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self.current = moment


def store_url(store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return a fresh, empty database URL for ``store``."""
    if store == "memory":
        return "memory://"
    raise NotImplementedError(store)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    """The name of the store under test."""
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock shared by the core under test."""
    return FakeClock()


@pytest.fixture
def core(
    store: str, clock: FakeClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeadCore]:
    """A connected, empty LeadCore on the store under test, with its schema created."""
    with leadcore.connect(store_url(store, tmp_path_factory), clock=clock) as connected:
        connected.create_schema()
        yield connected


@attrs.frozen
class People:
    """The cast of most tests: one user per role, all active."""

    admin: User
    reviewer: User
    assessor: User


@pytest.fixture
def people(core: LeadCore) -> People:
    """An admin, a reviewer and an assessor on the core under test."""
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    reviewer = core.users.create(
        admin.id, {"email": "reviewer@example.in", "name": "Ravi", "role": Role.REVIEWER}
    )
    assessor = core.users.create(
        admin.id, {"email": "assessor@example.in", "name": "Sita", "role": Role.ASSESSOR}
    )
    return People(admin, reviewer, assessor)


def lead_data(n: int = 1, **extra: object) -> dict[str, object]:
    """Return valid input for a new lead whose CIN is unique per ``n``."""
    data: dict[str, object] = {
        "company_name": f"Company {n} Pvt Ltd",
        "cin": f"U72900KA2015PTC{n:06d}",
    }
    data.update(extra)
    return data
