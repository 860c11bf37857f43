"""The memory store: a real adapter with the same invariants as the databases."""

from leadcore.adapters.memory.store import MemoryStore
from leadcore.adapters.memory.unit_of_work import MemoryUnitOfWork, MemoryUnitOfWorkFactory

__all__ = ["MemoryStore", "MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]
