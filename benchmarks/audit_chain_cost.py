"""What the tamper-evident audit chain costs leadcore's create on PostgreSQL: an A/B.

Usage: python benchmarks/audit_chain_cost.py [--dsn URL] [--seconds 10] [--clients 1,4]

Each client process holds one LeadCore and one raw psycopg connection and takes turns,
create after create, between three shapes of the same work:

* chained   ``core.leads.create`` as shipped: the entry's canonical content built in
            Python, its hash computed inside the one create statement;
* unchained the same call with the chain taken out: the content step skipped and the
            statement's hash expression replaced by NULL (the benchmark swaps the two
            pieces in and out around each call; nothing else differs);
* c         the raw one-statement create of /work/shared/bench/baseline.py (scenario c
            of postgres_write_path.py), for the ratio against raw SQL.

Taking turns, in a fresh random order each round (a fixed order gives one shape the cold
start after raw c's connection), puts the machine's noise on all three alike, which
separate timed runs on this shared 2-core machine do not: there, run-to-run drift is as
large as the cost measured. The time of each call is summed per shape; the chain's cost
is ``chained / unchained - 1`` in time per create. Each run uses a fresh database and is
verified (ids unique and gapless, one LEAD_CREATED entry per lead, every chained entry's
hash re-computed by ``core.audit.verify`` on the chained leads).
"""

from __future__ import annotations

import functools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

import leadcore
from leadcore.adapters.sql import statements
from leadcore.adapters.sql.database import Database as SqlDatabase
from leadcore.adapters.sql.repositories import SqlLeads
from leadcore.domain.leads import LeadDraft

sys.path.insert(0, str(Path(__file__).resolve().parent))
from postgres_write_path import (  # the sibling benchmark
    COUNTER,
    PRELOAD,
    Database,
    Server,
    fork_clients,
    make_cin,
    raw_c,
    run_arguments,
)

SHAPES = ("chained", "unchained", "c")
RAW_CLIENTS = 50_000  # raw c's client numbers start here, so its CINs are not leadcore's
HASH_EXPRESSION = """encode(sha256(convert_to(
               :chain_a || m.id || :chain_b || m.id || :chain_c, 'UTF8')), 'hex')"""
assert HASH_EXPRESSION in statements.PG_CREATE_LEAD, "the create statement changed shape"
UNCHAINED_CREATE = statements.PG_CREATE_LEAD.replace(HASH_EXPRESSION, "NULL")


STEP = "_chain_around_id"  # the method of SqlLeads that builds the chain's parameters


ChainStep = Callable[[LeadDraft, str, str], dict[str, str]]
CHAINED: ChainStep = SqlLeads._chain_around_id


def unchained_step(draft: LeadDraft, audit_id: str, new_json: str) -> dict[str, str]:
    """The chain step taken out: no content built, no parameters sent."""
    return {}


@contextmanager
def shaped(database: SqlDatabase, create_sql: str, chain: ChainStep) -> Iterator[None]:
    """Run creates on ``database`` with this statement and chain step, then restore them.

    Both sides of the A/B pass through here, so the swap's own cost falls on both.
    """
    saved_sql, saved_chain = database.statements.pg_create_lead, SqlLeads.__dict__[STEP]
    database.statements.pg_create_lead = create_sql
    setattr(SqlLeads, STEP, staticmethod(chain))
    try:
        yield
    finally:
        database.statements.pg_create_lead = saved_sql
        setattr(SqlLeads, STEP, saved_chain)


def _worker(
    db: Database, warmup: float, seconds: float, client: int, barrier: Any, queue: Any
) -> None:
    try:
        core = leadcore.connect(db.url, rate_limits_enabled=False, pool_size=1)
        database: SqlDatabase = core.container.sql_database()
        chained_sql = database.statements.pg_create_lead
        unchained_sql = database.statements.compile(text(UNCHAINED_CREATE))
        numbers = iter(range(1, 10**9))

        def create() -> None:
            i = next(numbers)
            data = {"company_name": f"Company {client}-{i} Pvt Ltd", "cin": make_cin(client, i)}
            core.leads.create(db.actor, data)

        def chained_create() -> None:
            with shaped(database, chained_sql, CHAINED):
                create()

        def unchained_create() -> None:
            with shaped(database, unchained_sql, unchained_step):
                create()

        ops: dict[str, Callable[[], object]] = {
            "chained": chained_create,
            "unchained": unchained_create,
            "c": raw_c(db, RAW_CLIENTS + client),  # its own CINs
        }
        barrier.wait(timeout=120)
        spent = dict.fromkeys(SHAPES, 0.0)
        done = dict.fromkeys(SHAPES, 0)
        started = time.perf_counter()
        warm_until = started + warmup
        deadline = warm_until + seconds
        order = list(SHAPES)
        shuffle = random.Random(client).shuffle
        while time.perf_counter() < deadline:
            shuffle(order)
            for shape in order:
                now = time.perf_counter()
                ops[shape]()
                if now >= warm_until:
                    spent[shape] += time.perf_counter() - now
                    done[shape] += 1
        queue.put({"spent": spent, "done": done})
        core.close()
    except Exception as exc:  # noqa: BLE001  # report any failure to the parent, never hang it
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


@dataclass
class Run:
    """One A/B run: microseconds per create of each shape, over every client."""

    clients: int
    micros: dict[str, float]
    verified: bool

    @property
    def cost(self) -> float:
        """The chain's cost: chained / unchained - 1, in time per create."""
        return self.micros["chained"] / self.micros["unchained"] - 1

    def ratio(self, shape: str) -> float:
        """Return the rate of ``shape`` as a multiple of raw c's (time of c / time of it)."""
        return self.micros["c"] / self.micros[shape]


def run_once(server: Server, clients: int, warmup: float, seconds: float) -> Run:
    """Run the A/B with ``clients`` processes on a fresh database; verify it."""
    db = server.fresh_database()
    work = functools.partial(_worker, db, warmup, seconds)
    reports = fork_clients(clients, work, warmup + seconds + 300)
    micros = {
        shape: 1e6
        * sum(r["spent"][shape] for r in reports)
        / sum(r["done"][shape] for r in reports)
        for shape in SHAPES
    }
    verified = verify(server, db)
    server.drop(db)
    return Run(clients, micros, verified)


def verify(server: Server, db: Database) -> bool:
    """Ids unique and gapless, one entry per new lead, every chained lead's chain whole."""
    name = db.dsn.rsplit("/", 1)[-1].split("?")[0]
    count, distinct, highest = server.execute(
        "SELECT count(*), count(DISTINCT id), max(split_part(id, '-', 3)::bigint) FROM leads",
        name,
    )[0]
    created = server.execute(
        "SELECT count(*) FROM audit_entries WHERE action = 'LEAD_CREATED'", name
    )[0][0]
    counter = server.execute(f"SELECT value FROM counters WHERE name = '{COUNTER}'", name)[0][0]
    chained = server.execute("SELECT id FROM leads WHERE audit_head IS NOT NULL LIMIT 50", name)
    admin = server.execute("SELECT id FROM users WHERE role = 'ADMIN'", name)[0][0]
    with leadcore.connect(db.url, rate_limits_enabled=False) as core:
        whole = all(core.audit.verify(admin, lead_id=lead).ok for (lead,) in chained)
    return bool(count == distinct == highest == counter) and created == count - PRELOAD and whole


def table(runs: list[Run], clients: list[int]) -> str:
    """Return the Markdown table: time per create of each shape, the cost, the ratios."""
    lines = [
        "| N | chained µs | unchained µs | raw c µs | chain cost per run | median cost "
        "| chained vs c | unchained vs c | verified |",
        "|---:|---|---|---|---|---:|---|---|---|",
    ]
    for n in clients:
        mine = [r for r in runs if r.clients == n]
        if not mine:
            continue

        def cells(values: list[float], pattern: str) -> str:
            return " / ".join(pattern.format(v) for v in values)

        lines.append(
            f"| {n} | {cells([r.micros['chained'] for r in mine], '{:.0f}')} "
            f"| {cells([r.micros['unchained'] for r in mine], '{:.0f}')} "
            f"| {cells([r.micros['c'] for r in mine], '{:.0f}')} "
            f"| {cells([100 * r.cost for r in mine], '{:+.1f}%')} "
            f"| {100 * statistics.median(r.cost for r in mine):+.1f}% "
            f"| {cells([r.ratio('chained') for r in mine], '{:.2f}x')} "
            f"| {cells([r.ratio('unchained') for r in mine], '{:.2f}x')} "
            f"| {'yes' if all(r.verified for r in mine) else '**NO**'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the A/B at every client count, print the table; 1 if a check failed."""
    parser = run_arguments(__doc__.split("\n\n")[0], seconds=10.0, repeat="runs at each count")
    args = parser.parse_args(argv)
    clients = [int(n) for n in args.clients.split(",")]
    server = Server(args.dsn)
    runs: list[Run] = []
    try:
        print(f"# {server.describe()}, nproc={os.cpu_count()}", flush=True)
        for number in range(1, args.repeat + 1):
            for n in clients:
                run = run_once(server, n, args.warmup, args.seconds)
                runs.append(run)
                print(
                    f"run {number}: N={n}  "
                    + "  ".join(f"{s} {run.micros[s]:.0f} µs" for s in SHAPES)
                    + f"  cost {100 * run.cost:+.1f}%  verified={run.verified}",
                    flush=True,
                )
    finally:
        server.close()
    print()
    print(table(runs, clients))
    return 0 if all(r.verified for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
