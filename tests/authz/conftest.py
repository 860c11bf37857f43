"""Fixtures of the authorisation suite: the store for a whole module, and a shared stage."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.authz.matrix import Stage
from tests.conftest import (
    SKIP_POSTGRES_VARIABLE,
    STORES,
    FakeClock,
    connect_for_tests,
)


# Module-wide, unlike tests/conftest.py's: the stages below that only refusals and reads
# use are built once per module and store, not once per test.
@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    """The name of the store under test."""
    if request.param == "postgres" and os.environ.get(SKIP_POSTGRES_VARIABLE) == "1":
        pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1")
    return str(request.param)


@pytest.fixture(scope="module")
def busy_stage(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    """A stage on a store that many tests share, each on a stage of its own."""
    with connect_for_tests(store, tmp_path_factory, FakeClock(), lasting=True) as core:
        yield Stage.bootstrap(core)


@pytest.fixture
def stage(busy_stage: Stage) -> Stage:
    """A stage of this test's own on the busy store (cheaper than a database per test)."""
    return Stage(busy_stage.core, busy_stage.admin)


@pytest.fixture(scope="module")
def shared_stage(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    """One prepared stage per module and store, for calls that must change nothing."""
    with connect_for_tests(store, tmp_path_factory, FakeClock(), lasting=True) as core:
        yield Stage.bootstrap(core).prepare()
