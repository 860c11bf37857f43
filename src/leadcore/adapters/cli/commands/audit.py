"""``audit export``: the audit trail to stdout, read in pages inside one snapshot;
``audit verify``: its hash chains re-computed."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer

from leadcore.adapters.cli.context import AsOption, DbOption, JsonOption, session
from leadcore.adapters.cli.exporting import ExportFormat, parse_since, write_entries
from leadcore.adapters.cli.output import print_json, say
from leadcore.domain.audit import AuditAction, ChainReport

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date or date and time, such as 2026-03-14"
        ) from None


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", case_sensitive=False, help="JSON lines or CSV."),
    ] = ExportFormat.JSONL,
    lead_id: Annotated[
        str | None, typer.Option("--lead", metavar="ID", help="Only this lead's entries.")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            metavar="DATE",
            parser=_since,
            help="Only entries at or after this ISO date or time (UTC unless given).",
        ),
    ] = None,
    action: Annotated[
        AuditAction | None,
        typer.Option("--action", case_sensitive=False, help="Only entries of this action."),
    ] = None,
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Write the audit trail, oldest first, to stdout (ADMIN, REVIEWER)."""
    with session(ctx, "audit export", db=db, actor=actor, target=lead_id) as current:
        entries = current.core.audit.export(
            current.actor_id,
            action=None if action is None else action.value,
            lead_id=lead_id,
            since=since,
        )
        write_entries(entries, sys.stdout, fmt)


@app.command("verify")
def verify(
    ctx: typer.Context,
    lead_id: Annotated[
        str | None, typer.Option("--lead", metavar="ID", help="Only this lead's chain.")
    ] = None,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-compute the audit hash chains and name the first broken link (ADMIN).

    Exits 0 when every chain is whole and 3 when one is broken.
    """
    with session(ctx, "audit verify", db=db, actor=actor, target=lead_id) as current:
        report = current.core.audit.verify(current.actor_id, lead_id=lead_id)
        if as_json:
            print_json(report.to_dict())
        else:
            say(_described(report))
        if not report.ok:
            raise typer.Exit(BROKEN_CHAIN)


# The exit status of a verify that found a break: neither a refusal (1) nor a usage error (2).
BROKEN_CHAIN = 3


def _described(report: ChainReport) -> str:
    if report.ok:
        return f"audit chains whole: {report.checked} entries re-hashed"
    where = f"stream {report.stream}"
    if report.position is not None:
        where += f", entry {report.entry_id} at position {report.position}"
    whole = f"{report.checked} entries whole before it"
    return f"audit chain BROKEN in {where}: {report.reason} ({whole})"
