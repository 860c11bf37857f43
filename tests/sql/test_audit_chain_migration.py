"""Migration 0003 chains the audit entries written before it, so verify covers them."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config

from leadcore import ChainReport
from tests.conftest import lead_data
from tests.sql.conftest import OpenCore, database_of


def test_entries_written_before_the_chain_are_chained_by_the_migration(
    open_sql: OpenCore,
) -> None:
    """Back at revision 0002 (no hashes), upgrading chains the history and verify passes."""
    core = open_sql()
    admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
    lead = core.leads.create(admin.id, lead_data(1, company_name="Société Ñ 株式会社"))
    core.leads.update(admin.id, lead.id, {"city": "Pune"}, lead.version)
    core.leads.create(admin.id, lead_data(2))
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("leadcore.adapters.sql") / "migrations")
    )
    with database_of(core).engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    core.close()
    core = open_sql()  # create_schema() upgrades to head again
    assert core.audit.verify(admin.id) == ChainReport(ok=True, checked=4)
    lead = core.leads.get(admin.id, lead.id)
    core.leads.update(admin.id, lead.id, {"notes": "after"}, lead.version)
    assert core.audit.verify(admin.id, lead.id) == ChainReport(ok=True, checked=3)
