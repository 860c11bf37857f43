"""A client process killed with SIGKILL while it holds the counter row: PostgreSQL ends
its session, the processes queued behind it carry on, and ids stay unique and gapless."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time

import pytest

from leadcore.ports.unit_of_work import Intent
from tests.conftest import lead_data
from tests.faults.conftest import Stage
from tests.faults.helpers import (
    COUNTER,
    WAIT,
    Workers,
    idle_in_transaction,
    lead_id,
    open_core,
    read_ledger,
    waiting_for_locks,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 3
CREATES = 5  # per worker
RELEASE_BOUND = 10.0  # seconds the queued creates may take once the holder is dead


def hold_the_counter(url: str, ready: mp.Queue[int]) -> None:
    """In a child: take the next number in a leadcore WRITE unit, report it, then hang."""
    with open_core(url) as core, core.container.uow()(Intent.WRITE) as uow:
        ready.put(uow.sequences.next(COUNTER))
        time.sleep(WAIT * 4)  # until killed


def test_creates_queued_behind_a_killed_holder_of_the_counter_finish_gapless(
    stage: Stage,
) -> None:
    """3 processes blocked on the counter row of a SIGKILLed client all create, ids 1..16."""
    with open_core(stage.url) as core:
        core.leads.create(stage.reviewer.id, lead_data(1))  # the counter row exists
    ctx = mp.get_context("fork")
    ready: mp.Queue[int] = ctx.Queue()
    holder = ctx.Process(target=hold_the_counter, args=(stage.url, ready))
    holder.start()
    try:
        assert ready.get(timeout=WAIT) == 2  # the holder's number, never committed
        idle_in_transaction(stage.url)  # its session sits in the open transaction

        def create(number: int) -> tuple[list[str], float]:
            with open_core(stage.url) as mine:
                ids = [
                    mine.leads.create(stage.reviewer.id, lead_data(100 * (number + 1) + i)).id
                    for i in range(CREATES)
                ]
            return ids, time.monotonic()

        with Workers(WORKERS, create) as workers:
            deadline = time.monotonic() + WAIT
            while waiting_for_locks(stage.url) < WORKERS:
                assert time.monotonic() < deadline, "the creates never queued on the counter"
                time.sleep(0.01)
            assert holder.pid is not None
            os.kill(holder.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            results = workers.results(timeout=WAIT)
    finally:
        holder.kill()
        holder.join()
    ids = sorted(created for batch, _done in results for created in batch)
    assert ids == [lead_id(n) for n in range(2, 2 + WORKERS * CREATES)]
    assert max(done for _batch, done in results) - killed_at < RELEASE_BOUND
    assert read_ledger(stage.url).breaks() == []
