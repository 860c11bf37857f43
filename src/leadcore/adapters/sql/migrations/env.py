"""Alembic environment of leadcore's SQL stores.

leadcore runs it from ``Database.upgrade_schema`` with a connection that is already
inside a transaction holding the schema lock, passed as ``config.attributes["connection"]``;
there is no alembic.ini. Offline (``--sql``) mode is not supported.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from leadcore.adapters.sql.tables import VERSION_TABLE, metadata


def run_migrations_online() -> None:
    """Upgrade through the connection leadcore handed over."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("leadcore migrations run through Database.upgrade_schema()")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("leadcore migrations have no offline mode")
run_migrations_online()
