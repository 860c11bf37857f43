"""The soak (benchmarks/soak.py) run for a few seconds, so its code cannot rot.

The long run stays behind the script: ``python benchmarks/soak.py --minutes 10``.
"""

from __future__ import annotations

import multiprocessing as mp

import pytest
from benchmarks.soak import run_soak

from tests.conftest import store_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_a_short_soak_passes_the_invariant_check_without_failures(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Two processes for three seconds: no failure, every invariant (audit chains included)
    whole, work was done."""
    outcome = run_soak(store_url("postgres", tmp_path_factory), seconds=3, processes=2, seed=6)

    assert outcome.failures == []
    assert outcome.check.breaks == ()
    assert outcome.tally.accepted["create"] > 0
    assert outcome.check.leads > 100  # the seed leads and the workers' creates
    assert outcome.check.chains == outcome.check.audit_entries  # every entry re-hashed
    assert mp.active_children() == []
