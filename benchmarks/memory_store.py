"""Times the memory store, single thread: creates, reads and versioned updates per second.

Usage: python benchmarks/memory_store.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import leadcore


def rate(seconds: float, operation: Callable[[int], object]) -> tuple[int, float]:
    """Run ``operation(i)`` for about ``seconds``; return (count, operations per second)."""
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(200):
            count += 1
            operation(count)
    elapsed = time.perf_counter() - started
    return count, count / elapsed


def main() -> None:
    """Print creates, reads and updates per second on a fresh memory store."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    # The rate limiter is a policy (200 writes/s per actor by default), not the store: off here.
    with leadcore.connect("memory://", rate_limits_enabled=False) as core:
        admin = core.users.bootstrap_admin(email="admin@bench.in", name="Admin")
        reviewer = core.users.create(
            admin.id, {"email": "rev@bench.in", "name": "Rev", "role": "REVIEWER"}
        )
        ids: list[str] = []

        def create(i: int) -> None:
            data = {"company_name": f"Bench {i} Pvt Ltd", "cin": f"U72900KA2015PTC{i:06d}"}
            lead = core.leads.create(reviewer.id, data)
            ids.append(lead.id)

        created, create_rate = rate(args.seconds, create)
        _, read_rate = rate(args.seconds, lambda i: core.leads.get(reviewer.id, ids[i % created]))
        versions = dict.fromkeys(ids, 1)

        def update(i: int) -> None:
            lead_id = ids[i % created]
            core.leads.update(
                reviewer.id, lead_id, {"city": f"City {i}"}, expected_version=versions[lead_id]
            )
            versions[lead_id] += 1

        _, update_rate = rate(args.seconds, update)
    print("| operation (memory store, 1 thread) | per second |")
    print("|---|---:|")
    print(f"| create | {create_rate:,.0f} |")
    print(f"| get | {read_rate:,.0f} |")
    print(f"| update (versioned) | {update_rate:,.0f} |")


if __name__ == "__main__":
    main()
