"""``init`` and ``users`` through the installed command."""

from __future__ import annotations

from tests.cli.conftest import ADMIN, REVIEWER, Cli


def test_init_and_users_add_make_users_that_users_list_shows(ready: Cli) -> None:
    """After ``init`` with an admin and ``users add``, ``users list --json`` names both."""
    listed = ready.json("users", "list", "--as", ADMIN)
    assert [(u["email"], u["role"], u["is_active"]) for u in listed] == [
        (ADMIN, "ADMIN", True),
        (REVIEWER, "REVIEWER", True),
    ]
