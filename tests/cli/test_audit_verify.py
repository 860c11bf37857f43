"""``audit verify``: the hash chains re-computed from the command line, in a subprocess."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import ADMIN, REVIEWER, Cli, initialised


@pytest.fixture
def worked(tmp_path: Path) -> Cli:
    """A fresh database with an admin, a reviewer and one lead changed once."""
    cli = initialised(tmp_path)
    as_reviewer = ("--as", REVIEWER)
    cli.ok("leads", "create", *as_reviewer, "--set", "company_name=Acme Pvt Ltd",
           "--set", "cin=U72900KA2015PTC000001")  # fmt: skip
    cli.ok("leads", "update", "LEAD-2026-0001", *as_reviewer, "--version", "1",
           "--set", "city=Pune")  # fmt: skip
    return cli


def test_an_intact_trail_verifies_and_exits_0(worked: Cli) -> None:
    """Every entry written through leadcore re-hashes: ok, all four counted, exit 0."""
    report = worked.json("audit", "verify", "--as", ADMIN)

    assert (report["ok"], report["checked"]) == (True, 4)  # 2 users + created + updated


def test_a_tampered_entry_is_named_and_exits_3(worked: Cli) -> None:
    """An audit row edited in the database file: exit 3, the lead's stream and position."""
    with sqlite3.connect(worked.directory / "x.db") as connection:
        connection.execute(
            "UPDATE audit_entries SET new = '{\"city\": \"Goa\"}' WHERE action = 'LEAD_UPDATED'"
        )
        (position,) = connection.execute(
            "SELECT position FROM audit_entries WHERE action = 'LEAD_UPDATED'"
        ).fetchone()

    run = worked("audit", "verify", "--as", ADMIN, "--lead", "LEAD-2026-0001")

    assert run.returncode == 3
    assert "stream lead:LEAD-2026-0001, entry" in run.stdout
    assert f"at position {position}" in run.stdout


def test_only_an_admin_may_verify(worked: Cli) -> None:
    """A reviewer asking is refused with INSUFFICIENT_PERMISSIONS and exit 1."""
    run = worked("audit", "verify", "--as", REVIEWER)

    assert run.returncode == 1
    assert run.stderr.startswith("INSUFFICIENT_PERMISSIONS")
