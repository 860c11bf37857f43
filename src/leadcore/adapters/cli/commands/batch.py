"""``import FILE.csv`` and ``counters rebuild``: the batch jobs."""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from leadcore.adapters.cli.context import AsOption, DbOption, JsonOption, session
from leadcore.adapters.cli.csv_import import LeadsCsv, file_rejections, write_rejects
from leadcore.adapters.cli.output import print_counts, print_json, say, stderr
from leadcore.domain.imports import RejectedRow

counters = typer.Typer(help="Lead id counters.", no_args_is_help=True)

# Rows listed on screen when no --rejects file is given.
SHOWN_REJECTIONS = 20


def register(app: typer.Typer) -> None:
    """Add ``import`` to ``app``."""
    app.command("import")(import_csv)


def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            exists=True,
            dir_okay=False,
            readable=True,
            help="A CSV whose header names lead fields (cin, company_name, ...).",
        ),
    ],
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            metavar="REJECTS.csv",
            dir_okay=False,
            help="Write each refused row here: row, line, code, fields, reasons, its cells.",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", min=1, help="Rows per transaction (default 1000)."),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="The file's text encoding.")
    ] = "utf-8",
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import leads from a CSV, in batches; refused rows are counted and can be written out.

    Running the same file again imports nothing new (its rows are duplicates by then).
    ADMIN may give legacy ids in an ``id`` column (and ``created_at``).
    """
    if rejects is not None and rejects.resolve() == file.resolve():
        raise typer.BadParameter("must not be the input file", param_hint="'--rejects'")
    with session(ctx, "import", db=db, actor=actor, target=str(file)) as current:
        source = LeadsCsv(file, encoding)
        source.check()
        with ExitStack() as stack:
            out = None if rejects is None else stack.enter_context(_open_rejects(rejects))
            skipped: list[RejectedRow] = []
            with ImportProgress(source) as advance:
                report = current.core.leads.import_rows(
                    current.actor_id, source.rows(skipped, advance), batch_size
                )
            rejected = file_rejections(report.rejected, skipped)
            if out is not None:
                write_rejects(source, rejected, out)
        _summary(report.imported, rejected, rejects, as_json)


@counters.command("rebuild")
def rebuild(
    ctx: typer.Context,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Raise each year's counter to the highest lead number in use (ADMIN); never lowers one."""
    with session(ctx, "counters rebuild", db=db, actor=actor) as current:
        highest = current.core.leads.rebuild_counters(current.actor_id)
        if as_json:
            print_json({str(year): number for year, number in sorted(highest.items())})
        elif highest:
            print_counts("counters", dict(sorted(highest.items())), ("year", "highest"))
        else:
            say("no leads yet: nothing to rebuild")


def _open_rejects(path: Path) -> TextIO:
    """Open the rejects file before the import starts, so a bad path changes nothing."""
    try:
        return path.open("w", newline="", encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {path}: {exc.strerror}", param_hint="'--rejects'"
        ) from None


class ImportProgress:
    """A progress bar on stderr, by bytes read, shown only when stderr is a terminal."""

    def __init__(self, source: LeadsCsv) -> None:
        self._source = source
        console = stderr()
        self._bar = Progress(
            TextColumn("importing: {task.fields[rows]} rows read"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._task = self._bar.add_task("import", total=max(source.size, 1), rows=0)

    def __enter__(self) -> ImportProgress:
        self._bar.start()
        return self

    def __call__(self, rows: int) -> None:
        self._bar.update(self._task, completed=self._source.position(), rows=rows)

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()


def _summary(
    imported: int, rejected: list[RejectedRow], rejects: Path | None, as_json: bool
) -> None:
    by_code = Counter(r.code.value for r in rejected)
    if as_json:
        print_json(
            {
                "imported": imported,
                "rejected": len(rejected),
                "rejected_by_code": dict(sorted(by_code.items())),
                "rejects_file": None if rejects is None else str(rejects),
            }
        )
        return
    say(f"imported {_count(imported, 'lead')}; rejected {_count(len(rejected), 'row')}")
    if by_code:
        print_counts("rejected by code", dict(sorted(by_code.items())), ("code", "rows"))
    if rejects is not None:
        say(f"refused rows written to {rejects}")
    elif rejected:
        _show_rejections(rejected, sys.stdout)


def _show_rejections(rejected: list[RejectedRow], out: TextIO) -> None:
    for row in rejected[:SHOWN_REJECTIONS]:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in row.fields.items())
        out.write(f"  row {row.row_number}: {row.code.value} - {reasons}\n")
    if len(rejected) > SHOWN_REJECTIONS:
        out.write(f"  ... and {len(rejected) - SHOWN_REJECTIONS} more; use --rejects FILE\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
