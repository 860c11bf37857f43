"""Fixtures of the fuzz: a populated world on the store under test."""

from __future__ import annotations

import pytest

from leadcore import LeadCore
from tests.conftest import People
from tests.fuzz.world import FuzzWorld, build_world


@pytest.fixture
def world(core: LeadCore, people: People) -> FuzzWorld:
    """The fuzz's world on a fresh core of the store under test."""
    return build_world(core, people)
