"""Fixtures of the contract suite beyond tests/conftest.py; every one works on every store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from leadcore import Lead, LeadCore, Role, User
from leadcore.ports.system import Clock
from tests.conftest import FakeClock, People, connect_for_tests, lead_data

OpenCore = Callable[..., LeadCore]


@pytest.fixture
def open_core(
    store: str, clock: FakeClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenCore]:
    """Connect further cores on fresh databases of the store under test, with settings.

    Keyword arguments are Settings overrides (``lead_id_timezone="Asia/Kolkata"``); the
    cores share the test's clock unless ``clock_`` names another, and are closed at the
    end of the test.
    """
    opened: list[LeadCore] = []

    def open_(*, clock_: Clock | None = None, **overrides: Any) -> LeadCore:
        connected = connect_for_tests(store, tmp_path_factory, clock_ or clock, **overrides)
        opened.append(connected)
        return connected

    yield open_
    for connected in opened:
        connected.close()


@pytest.fixture
def lead(core: LeadCore, people: People) -> Lead:
    """A NEW lead created by the reviewer, LEAD-2026-0001 at version 1."""
    return core.leads.create(people.reviewer.id, lead_data(1))


@pytest.fixture
def assessor2(core: LeadCore, people: People) -> User:
    """A second active assessor."""
    return core.users.create(
        people.admin.id, {"email": "assessor2@example.in", "name": "Meena", "role": Role.ASSESSOR}
    )
