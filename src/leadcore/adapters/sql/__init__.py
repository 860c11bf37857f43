"""The SQL stores: PostgreSQL (psycopg 3) and SQLite, through SQLAlchemy 2 and Alembic."""

from leadcore.adapters.sql.database import Database
from leadcore.adapters.sql.unit_of_work import (
    SqlUnitOfWork,
    SqlUnitOfWorkFactory,
    UnitOfWorkMisuseError,
)

__all__ = ["Database", "SqlUnitOfWork", "SqlUnitOfWorkFactory", "UnitOfWorkMisuseError"]
