"""The composition root: picks adapters from a URL and wires the services."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import unquote, urlsplit

import attrs
from dependency_injector import containers, providers

from leadcore.adapters.files import FileBlobStore
from leadcore.adapters.memory import MemoryStore, MemoryUnitOfWorkFactory
from leadcore.adapters.memory.documents import MemoryBlobStore
from leadcore.adapters.rate_limits import LimitsRateLimiter, NoRateLimits
from leadcore.adapters.sql import Database, SqlUnitOfWorkFactory
from leadcore.adapters.system import SystemClock, Uuid7Generator
from leadcore.domain import errors
from leadcore.ports.documents import BlobStore
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import UnitOfWorkFactory
from leadcore.services.assessments import AssessmentService
from leadcore.services.audit import AuditService
from leadcore.services.documents import DocumentService
from leadcore.services.leads import LeadService
from leadcore.services.users import UserService
from leadcore.settings import Settings

# URL scheme -> the store family that serves it.
SCHEMES = {"memory": "memory", "sqlite": "sqlite", "postgresql": "postgresql"}


class SchemaManager(Protocol):
    """Creates or upgrades a store's schema."""

    def upgrade_schema(self) -> None:
        """Bring the schema to the newest version; idempotent."""
        ...


class _NoSchema:
    def upgrade_schema(self) -> None:
        """The memory store has no schema."""


def _memory_store() -> Iterator[MemoryStore]:
    yield MemoryStore()


def _sql_database(url: str, settings: Settings) -> Iterator[Database]:
    database = Database(url, settings)
    try:
        yield database
    finally:
        database.dispose()


def _blob_directory(settings: Settings, url: str) -> Iterator[Path]:
    """Yield where document contents live.

    The configured directory if any; else beside a SQLite file (``leads.db`` keeps them in
    ``leads.db.documents/``), ``leadcore-documents/`` in the working directory for a
    server database (like the default ``leadcore.db``), and for ``memory://`` (or an
    in-memory SQLite) a temporary directory removed at close, as the data goes with it.
    """
    if settings.document_directory is not None:
        yield Path(settings.document_directory)
        return
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()
    database = unquote(parts.path)[1:] if scheme == "sqlite" else ""
    if database and database != ":memory:":
        yield Path(database + ".documents")
        return
    if scheme == "postgresql":
        yield Path("leadcore-documents")
        return
    temporary = tempfile.mkdtemp(prefix="leadcore-documents-")
    try:
        yield Path(temporary)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _rate_limiter(settings: Settings, clock: Clock) -> RateLimiter:
    if not settings.rate_limits_enabled:
        return NoRateLimits()
    rules = {
        ActionClass.READ: settings.rate_limit_read,
        ActionClass.WRITE: settings.rate_limit_write,
        ActionClass.IMPORT: settings.rate_limit_import,
    }
    return LimitsRateLimiter(rules, clock, settings.rate_limit_storage_uri)


class Container(containers.DeclarativeContainer):
    """Wires one LeadCore; tests swap a provider with ``override()``, never by patching."""

    config = providers.Configuration()
    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Provider[Clock] = providers.Singleton(SystemClock)
    ids: providers.Provider[IdGenerator] = providers.Singleton(Uuid7Generator)

    # Resources start when first used, so only the selected store's is ever created.
    memory_store = providers.Resource(_memory_store)
    sql_database = providers.Resource(_sql_database, url=config.url, settings=settings)
    sql_uow = providers.Singleton(SqlUnitOfWorkFactory, database=sql_database)
    uow: providers.Provider[UnitOfWorkFactory] = providers.Selector(
        config.store,
        memory=providers.Singleton(MemoryUnitOfWorkFactory, store=memory_store),
        sqlite=sql_uow,
        postgresql=sql_uow,
    )
    schema: providers.Provider[SchemaManager] = providers.Selector(
        config.store,
        memory=providers.Object(_NoSchema()),
        sqlite=sql_database,
        postgresql=sql_database,
    )

    lead_id_format = providers.Callable(lambda s: s.lead_id_format(), settings)
    limiter: providers.Provider[RateLimiter] = providers.Singleton(_rate_limiter, settings, clock)
    users = providers.Singleton(UserService, uow=uow, clock=clock, ids=ids, limiter=limiter)
    leads = providers.Singleton(
        LeadService,
        uow=uow,
        clock=clock,
        ids=ids,
        id_format=lead_id_format,
        limiter=limiter,
        import_batch_size=providers.Callable(lambda s: s.import_batch_size, settings),
    )
    audit = providers.Singleton(AuditService, uow=uow, limiter=limiter)

    blob_directory = providers.Resource(_blob_directory, settings=settings, url=config.url)
    blobs: providers.Provider[BlobStore] = providers.Selector(
        providers.Callable(lambda s: s.blob_store, settings),
        files=providers.Singleton(FileBlobStore, directory=blob_directory),
        memory=providers.Singleton(MemoryBlobStore),
    )
    assessments = providers.Singleton(
        AssessmentService, uow=uow, clock=clock, ids=ids, limiter=limiter
    )
    documents = providers.Singleton(
        DocumentService,
        uow=uow,
        clock=clock,
        ids=ids,
        blobs=blobs,
        limits=providers.Callable(lambda s: s.document_limits(), settings),
        limiter=limiter,
    )


class LeadCore:
    """One connected leadcore: ``users``, ``leads``, ``audit``, ``assessments`` and
    ``documents`` services over one store."""

    def __init__(self, container: Container, url: str) -> None:
        self._container = container
        self.url = url
        self.users: UserService = container.users()
        self.leads: LeadService = container.leads()
        self.audit: AuditService = container.audit()
        self.assessments: AssessmentService = container.assessments()
        self._closed = False

    @property
    def documents(self) -> DocumentService:
        """The document service; its blob store (a directory) is set up on first use."""
        return self._container.documents()

    @property
    def container(self) -> Container:
        """The container, for tests and embedding code that override providers."""
        return self._container

    def create_schema(self) -> None:
        """Create or upgrade the store's schema; safe to call again (memory: nothing to do).

        SQL stores run their migrations to the newest one, under a lock, so two processes
        may call it at the same time.
        """
        self._container.schema().upgrade_schema()

    def close(self) -> None:
        """Release the store (engines are disposed); calling it twice is harmless."""
        if not self._closed:
            self._closed = True
            self._container.shutdown_resources()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LeadCore({_redact(self.url)!r})"


def connect(
    url: str = "memory://",
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    **overrides: Any,
) -> LeadCore:
    """Return a LeadCore on the store ``url`` names (``memory://`` and the SQL URLs).

    ``overrides`` are Settings fields (``lead_id_timezone="Asia/Kolkata"``); ``clock`` and
    ``ids`` replace the system clock and id generator.
    """
    store = _store_for(url)
    try:
        chosen = attrs.evolve(settings or Settings(), **overrides)
    except TypeError as exc:  # a keyword that is not a setting
        raise errors.invalid_field("settings", "unknown setting") from exc
    chosen.lead_id_format()  # refuse bad settings now, not at the first create
    container = Container()
    container.config.from_dict({"store": store, "url": url})
    container.settings.override(chosen)
    if clock is not None:
        container.clock.override(providers.Object(clock))
    if ids is not None:
        container.ids.override(providers.Object(ids))
    try:
        return LeadCore(container, url)  # starts the selected store's resource
    except BaseException:
        container.shutdown_resources()
        raise


def _store_for(url: object) -> str:
    if not isinstance(url, str):
        raise errors.invalid_field("url", "must be a database URL such as memory://")
    scheme = urlsplit(url).scheme.split("+", 1)[0].lower()
    store = SCHEMES.get(scheme)
    if store is None:
        known = ", ".join(f"{name}://" for name in SCHEMES)
        raise errors.invalid_field("url", f"unknown scheme {scheme!r}; known: {known}")
    return store


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
