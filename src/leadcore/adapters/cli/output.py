"""What the command prints: tables and lines on stdout, JSON for scripts, errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from leadcore.domain.errors import ErrorCode, LeadCoreError
from leadcore.domain.leads import Lead
from leadcore.domain.users import User


def stdout() -> Console:
    """Return a console on the current stdout (no markup: data is printed as it is)."""
    return Console(file=sys.stdout, markup=False, highlight=False, soft_wrap=False)


def stderr() -> Console:
    """Return a console on the current stderr."""
    return Console(file=sys.stderr, markup=False, highlight=False, soft_wrap=True)


def say(text: str) -> None:
    """Print one line of plain text on stdout."""
    sys.stdout.write(text + "\n")


def print_json(data: object) -> None:
    """Print ``data`` as JSON on stdout, and nothing else."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_error(exc: LeadCoreError) -> None:
    """Print a refusal on stderr: its code and plain-language message, then the details."""
    lines = [f"{exc.code.value}: {exc.user_message}"]
    if exc.code is not ErrorCode.INVALID_INPUT:  # there the fields below say it all
        lines.append(f"  detail: {exc.message}")
    for key, value in exc.context.items():
        if key == "fields" and isinstance(value, Mapping):
            lines.extend(f"  {field}: {reason}" for field, reason in value.items())
        else:
            lines.append(f"  {key}: {_plain(value)}")
    if exc.code is ErrorCode.DATABASE_ERROR and exc.context.get("reason") == "schema":
        lines.append("  hint: run `leadcore init` to create the schema")
    sys.stderr.write("\n".join(lines) + "\n")


def print_lead(lead: Lead, names: Mapping[str, str]) -> None:
    """Print every field of one lead as a two-column table."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in lead.to_dict().items():
        shown = names.get(value, value) if key in ("assessor_id", "created_by") else value
        table.add_row(key, "" if shown is None else str(shown))
    stdout().print(table)


def print_leads(leads: Sequence[Lead], names: Mapping[str, str]) -> None:
    """Print leads as a table, one row each."""
    table = Table(box=None)
    for name in ("id", "status"):
        table.add_column(name, no_wrap=True)
    table.add_column("company", overflow="fold")
    table.add_column("cin", no_wrap=True)
    table.add_column("assessor", overflow="fold")
    table.add_column("version", no_wrap=True)
    for lead in leads:
        assessor = "" if lead.assessor_id is None else names.get(lead.assessor_id, lead.assessor_id)
        table.add_row(
            lead.id, lead.status.value, lead.company_name, lead.cin, assessor, str(lead.version)
        )
    stdout().print(table)


def print_users(users: Iterable[User]) -> None:
    """Print users as a table, one row each."""
    table = Table(box=None)
    table.add_column("email", overflow="fold")
    table.add_column("name", overflow="fold")
    for name in ("role", "active", "id"):
        table.add_column(name, no_wrap=True)
    for user in users:
        table.add_row(
            user.email, user.name, user.role.value, "yes" if user.is_active else "no", user.id
        )
    stdout().print(table)


def print_counts(title: str, counts: Mapping[Any, int], headers: tuple[str, str]) -> None:
    """Print a small two-column table of counts under a title."""
    table = Table(*headers, box=None, title=title, title_justify="left")
    for key, count in counts.items():
        table.add_row(str(key), str(count))
    stdout().print(table)


def _plain(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
