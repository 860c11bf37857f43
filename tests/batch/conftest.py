"""Fixtures of the batch suite: cores with settings of their own, on every store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import leadcore
from leadcore import LeadCore
from tests.conftest import FakeClock, store_url

OpenCore = Callable[..., LeadCore]


@pytest.fixture
def open_core(
    store: str, clock: FakeClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenCore]:
    """Connect a core on a fresh database of the store under test, with Settings overrides.

    The core shares the test's clock and is closed at the end of the test.
    """
    opened: list[LeadCore] = []

    def open_(**overrides: Any) -> LeadCore:
        connected = leadcore.connect(store_url(store, tmp_path_factory), clock=clock, **overrides)
        opened.append(connected)
        connected.create_schema()
        return connected

    yield open_
    for connected in opened:
        connected.close()
