"""Fixtures of the document tests: a lead assigned to the assessor, cores with settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from leadcore import Lead, LeadCore, Role, User
from tests.assessments.helpers import assigned_lead
from tests.conftest import FakeClock, People, connect_for_tests

OpenCore = Callable[..., LeadCore]


@pytest.fixture
def lead(core: LeadCore, people: People) -> Lead:
    """A lead assigned to people.assessor."""
    return assigned_lead(core, people)


@pytest.fixture
def assessor2(core: LeadCore, people: People) -> User:
    """A second active assessor, assigned to nothing."""
    return core.users.create(
        people.admin.id, {"email": "assessor2@example.in", "name": "Meena", "role": Role.ASSESSOR}
    )


@pytest.fixture
def open_core(
    store: str, clock: FakeClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenCore]:
    """Connect further cores on fresh stores, with Settings overrides as keywords."""
    opened: list[LeadCore] = []

    def open_(**overrides: Any) -> LeadCore:
        connected = connect_for_tests(store, tmp_path_factory, clock, **overrides)
        opened.append(connected)
        return connected

    yield open_
    for connected in opened:
        connected.close()
