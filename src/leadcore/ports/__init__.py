"""The interfaces services need, as typing.Protocol classes; adapters implement them."""

from leadcore.ports.repositories import (
    AuditRepository,
    LeadQuery,
    LeadRepository,
    SequencePort,
    UserRepository,
)
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import Intent, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AuditRepository",
    "Clock",
    "IdGenerator",
    "Intent",
    "LeadQuery",
    "LeadRepository",
    "SequencePort",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
]
