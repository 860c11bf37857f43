"""Usage errors and the demo, through the installed command."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_a_usage_error_exits_2(cli: Cli) -> None:
    """``python -m leadcore leads update`` without --version exits 2 and names the option."""
    run = cli("leads", "update", "LEAD-2026-0001", "--as", "a@example.in", module=True)
    assert run.returncode == 2
    assert "--version" in run.stderr


def test_demo_exits_0_and_shows_every_promise(cli: Cli) -> None:
    """``demo`` shows each refusal code, gapless parallel ids, the audit trail, its chains whole."""
    run = cli("demo")
    assert run.returncode == 0, run.stderr
    for code in (
        "CONCURRENT_MODIFICATION",
        "DUPLICATE_CIN",
        "USER_INACTIVE",
        "INVALID_STATUS_TRANSITION",
        "unique and gapless",
        "LEAD_CREATED",
        "LEAD_UPDATED",
        "LEAD_ASSIGNED",
        "re-hashed by audit.verify: whole",
    ):
        assert code in run.stdout
