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
from tests.conftest import store_url
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


@pytest.fixture(autouse=True)
def _no_leftover_children() -> Iterator[None]:
    """Each fault test reaps every process it forked."""
    yield
    assert mp.active_children() == []
