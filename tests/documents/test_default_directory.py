"""Where document contents go when no directory is configured."""

from __future__ import annotations

from pathlib import Path

import leadcore
from leadcore import Role
from tests.conftest import lead_data


def test_a_sqlite_store_keeps_document_contents_beside_its_file(tmp_path: Path) -> None:
    """Without document_directory, sqlite:///x.db keeps uploads in x.db.documents/."""
    database = tmp_path / "leads.db"
    with leadcore.connect(f"sqlite:///{database}", rate_limits_enabled=False) as core:
        core.create_schema()
        admin = core.users.bootstrap_admin(email="admin@example.in", name="Asha")
        reviewer = core.users.create(
            admin.id, {"email": "ravi@example.in", "name": "Ravi", "role": Role.REVIEWER}
        )
        lead = core.leads.create(reviewer.id, lead_data())
        document = core.documents.upload(reviewer.id, lead.id, "report.txt", b"hello", "text/plain")
    stored = list((tmp_path / "leads.db.documents").rglob("*"))
    assert [p.read_bytes() for p in stored if p.is_file()] == [b"hello"]
    assert all(document.filename not in p.name for p in stored)
