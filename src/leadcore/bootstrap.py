"""The composition root: picks adapters from a URL and wires the services."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import attrs
from dependency_injector import containers, providers

from leadcore.adapters.memory import MemoryStore, MemoryUnitOfWorkFactory
from leadcore.adapters.system import SystemClock, Uuid7Generator
from leadcore.domain import errors
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import UnitOfWorkFactory
from leadcore.services.audit import AuditService
from leadcore.services.leads import LeadService
from leadcore.services.users import UserService
from leadcore.settings import Settings

# URL scheme -> the store family that serves it.
SCHEMES = {"memory": "memory"}


def _memory_store() -> Iterator[MemoryStore]:
    yield MemoryStore()


class Container(containers.DeclarativeContainer):
    """Wires one LeadCore; tests swap a provider with ``override()``, never by patching."""

    config = providers.Configuration()
    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Provider[Clock] = providers.Singleton(SystemClock)
    ids: providers.Provider[IdGenerator] = providers.Singleton(Uuid7Generator)

    memory_store = providers.Resource(_memory_store)
    uow: providers.Provider[UnitOfWorkFactory] = providers.Selector(
        config.store,
        memory=providers.Singleton(MemoryUnitOfWorkFactory, store=memory_store),
    )

    lead_id_format = providers.Callable(lambda s: s.lead_id_format(), settings)
    users = providers.Singleton(UserService, uow=uow, clock=clock, ids=ids)
    leads = providers.Singleton(
        LeadService, uow=uow, clock=clock, ids=ids, id_format=lead_id_format
    )
    audit = providers.Singleton(AuditService, uow=uow)


class LeadCore:
    """One connected leadcore: ``users``, ``leads`` and ``audit`` services over one store."""

    def __init__(self, container: Container, url: str) -> None:
        self._container = container
        self.url = url
        self.users: UserService = container.users()
        self.leads: LeadService = container.leads()
        self.audit: AuditService = container.audit()
        self._closed = False

    @property
    def container(self) -> Container:
        """The container, for tests and embedding code that override providers."""
        return self._container

    def create_schema(self) -> None:
        """Create or upgrade the store's schema; safe to call again (memory: nothing to do)."""

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
    chosen = attrs.evolve(settings or Settings(), **overrides)
    chosen.lead_id_format()  # refuse bad settings now, not at the first create
    container = Container()
    container.config.from_dict({"store": store, "url": url})
    container.settings.override(chosen)
    if clock is not None:
        container.clock.override(providers.Object(clock))
    if ids is not None:
        container.ids.override(providers.Object(ids))
    container.init_resources()
    return LeadCore(container, url)


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
