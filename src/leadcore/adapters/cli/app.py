"""The ``leadcore`` command (typer)."""

from __future__ import annotations

import typer

from leadcore.adapters.cli.demo import run_demo

app = typer.Typer(help="leadcore: leads, gapless ids, audited changes.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """leadcore from the shell."""


@app.command()
def demo(
    db: str = typer.Option("memory://", "--db", help="Store to run the walkthrough on."),
) -> None:
    """Walk through the promises on a throwaway store: races, duplicates, deactivation."""
    run_demo(db, typer.echo)
