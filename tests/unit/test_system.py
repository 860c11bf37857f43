"""The real clock and id generator."""

from __future__ import annotations

import multiprocessing as mp
import uuid
from datetime import UTC

from leadcore.adapters.system import SystemClock, Uuid7Generator

RANDOM_BITS = (1 << 62) - 1


def test_ids_are_version_7_uuids_in_strictly_increasing_order() -> None:
    """10,000 ids from one generator: valid UUIDv7 text, each greater than the one before."""
    generator = Uuid7Generator()
    ids = [generator.new_id() for _ in range(10_000)]

    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def _random_parts(generator: Uuid7Generator, count: int) -> list[int]:
    return [uuid.UUID(generator.new_id()).int & RANDOM_BITS for _ in range(count)]


def _child(generator: Uuid7Generator, queue: mp.Queue[list[int]]) -> None:
    queue.put(_random_parts(generator, 5))


def test_a_forked_child_draws_other_random_bits_than_its_parent() -> None:
    """After fork, parent and child make ids whose random parts differ (the child reseeds)."""
    generator = Uuid7Generator()
    generator.new_id()
    ctx = mp.get_context("fork")
    queue: mp.Queue[list[int]] = ctx.Queue()
    child = ctx.Process(target=_child, args=(generator, queue))
    child.start()
    theirs = queue.get(timeout=30)
    child.join(timeout=30)
    ours = _random_parts(generator, 5)

    assert set(ours).isdisjoint(theirs)


def test_the_clock_tells_utc() -> None:
    """SystemClock.now() is time-zone aware, in UTC."""
    assert SystemClock().now().tzinfo is UTC
