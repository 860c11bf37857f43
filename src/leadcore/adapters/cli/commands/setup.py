"""``init`` (schema and first admin) and ``demo`` (the walkthrough on a throwaway store)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from leadcore.adapters.cli.context import DbOption, find_user, session
from leadcore.adapters.cli.demo import DEMO_CODES, run_demo
from leadcore.adapters.cli.output import say
from leadcore.domain.users import Role


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``demo`` to ``app``."""
    app.command("init")(init)
    app.command("demo")(demo)


def init(
    ctx: typer.Context,
    admin_email: Annotated[
        str | None,
        typer.Option("--admin-email", metavar="EMAIL", help="E-mail of the first admin."),
    ] = None,
    admin_name: Annotated[
        str | None, typer.Option("--admin-name", metavar="NAME", help="Name of the first admin.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create or upgrade the schema and, given --admin-email and --admin-name, the first admin.

    Safe to repeat: a second run with the same admin e-mail changes nothing.
    """
    if (admin_email is None) != (admin_name is None):
        raise typer.BadParameter(
            "give --admin-email and --admin-name together", param_hint="'--admin-email'"
        )
    with session(ctx, "init", db=db, target=admin_email, needs_actor=False) as current:
        current.core.create_schema()
        if admin_email is None or admin_name is None:
            say("schema ready")
            return
        existing = find_user(current.core, admin_email)
        if existing is not None and existing.role is Role.ADMIN:
            say(f"schema ready; {existing.email} is already an ADMIN")
            return
        admin = current.core.users.bootstrap_admin(email=admin_email, name=admin_name)
        say(f"schema ready; created ADMIN {admin.email} ({admin.id})")


def demo(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="An empty store to use (default: a throwaway SQLite file, deleted after; "
            "the --db before the command is not used).",
        ),
    ] = None,
) -> None:
    """Walk through the promises with real output: races, duplicates, deactivation, ids, audit."""
    with tempfile.TemporaryDirectory(prefix="leadcore-demo-") as scratch:
        url = db or f"sqlite:///{Path(scratch) / 'demo.db'}"
        _run_demo(ctx, url)


def _run_demo(ctx: typer.Context, url: str) -> None:
    with session(ctx, "demo", db=url, needs_actor=False) as current:
        say(f"store: {current.core!r}\n")
        shown = run_demo(current.core, say)
        missing = [code for code in DEMO_CODES if code not in shown]
        if missing:  # pragma: no cover  # the walkthrough itself would be broken
            say(f"\nnot shown: {', '.join(missing)}")
            raise typer.Exit(1)
