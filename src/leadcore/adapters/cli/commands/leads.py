"""``leads create | show | list | update | assign | status``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer

from leadcore.adapters.cli.context import AsOption, DbOption, JsonOption, Session, session
from leadcore.adapters.cli.output import print_json, print_lead, print_leads, say
from leadcore.domain.errors import LeadCoreError
from leadcore.domain.leads import Lead, LeadStatus
from leadcore.domain.pages import MAX_PAGE_SIZE

app = typer.Typer(help="Create, read and change leads.", no_args_is_help=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="FIELD=VALUE",
        help="A field to set; repeat for more. An empty value clears an optional field.",
    ),
]
VersionOption = Annotated[
    int,
    typer.Option("--version", min=1, help="The version you read; a stale one is refused."),
]
LeadId = Annotated[str, typer.Argument(metavar="ID", help="The lead's id, such as LEAD-2026-0001.")]


@app.command("create")
def create(
    ctx: typer.Context,
    values: SetOption = None,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a lead from --set company_name=... --set cin=... (and any other field)."""
    data = parse_assignments(values or [])
    with session(ctx, "leads create", db=db, actor=actor) as current:
        lead = current.core.leads.create(current.actor_id, data)
        current.target = lead.id
        _show_written(lead, as_json, f"created {lead.id} (version {lead.version})")


@app.command("show")
def show(
    ctx: typer.Context,
    lead_id: LeadId,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one lead."""
    with session(ctx, "leads show", db=db, actor=actor, target=lead_id) as current:
        lead = current.core.leads.get(current.actor_id, lead_id)
        if as_json:
            print_json(lead.to_dict())
        else:
            print_lead(lead, _user_names(current, (lead.assessor_id, lead.created_by)))


@app.command("list")
def list_leads(
    ctx: typer.Context,
    status: Annotated[
        LeadStatus | None,
        typer.Option("--status", case_sensitive=False, help="Only leads in this status."),
    ] = None,
    assessor: Annotated[
        str | None,
        typer.Option("--assessor", metavar="EMAIL", help="Only leads assigned to this user."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many leads.")] = 50,
    after: Annotated[
        str | None,
        typer.Option("--after", metavar="CURSOR", help="Continue after a cursor --json gave."),
    ] = None,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List leads in creation order (assessors see only their own)."""
    with session(ctx, "leads list", db=db, actor=actor, target=assessor) as current:
        assessor_id = None if assessor is None else current.user_id(assessor)
        found: list[Lead] = []
        cursor = after
        while len(found) < limit:
            page = current.core.leads.list(
                current.actor_id,
                status=status,
                assessor_id=assessor_id,
                limit=min(limit - len(found), MAX_PAGE_SIZE),
                after=cursor,
            )
            found.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        if as_json:
            print_json({"items": [lead.to_dict() for lead in found], "next_cursor": cursor})
        else:
            print_leads(found, _user_names(current, (lead.assessor_id for lead in found)))
            if cursor is not None:
                say(f"more leads follow: --after {cursor}")


@app.command("update")
def update(
    ctx: typer.Context,
    lead_id: LeadId,
    version: VersionOption,
    values: SetOption = None,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change fields of a lead read at --version; a change to nothing writes nothing."""
    data = parse_assignments(values or [])
    if not data:
        raise typer.BadParameter("give at least one --set FIELD=VALUE", param_hint="'--set'")
    with session(ctx, "leads update", db=db, actor=actor, target=lead_id) as current:
        lead = current.core.leads.update(current.actor_id, lead_id, data, expected_version=version)
        _show_written(lead, as_json, _version_note(lead, version))


@app.command("assign")
def assign(
    ctx: typer.Context,
    lead_id: LeadId,
    assessor: Annotated[
        str, typer.Option("--assessor", metavar="EMAIL", help="An active ASSESSOR.")
    ],
    version: VersionOption,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assign a lead to an active assessor."""
    with session(ctx, "leads assign", db=db, actor=actor, target=lead_id) as current:
        lead = current.core.leads.assign_assessor(
            current.actor_id, lead_id, current.user_id(assessor), expected_version=version
        )
        _show_written(lead, as_json, _version_note(lead, version))


@app.command("status")
def status(
    ctx: typer.Context,
    lead_id: LeadId,
    new_status: Annotated[
        LeadStatus,
        typer.Argument(metavar="STATUS", case_sensitive=False, help="Such as CANCELLED."),
    ],
    version: VersionOption,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a lead where no other command does (CANCELLED); other moves are refused."""
    with session(ctx, "leads status", db=db, actor=actor, target=lead_id) as current:
        lead = current.core.leads.change_status(
            current.actor_id, lead_id, new_status, expected_version=version
        )
        _show_written(lead, as_json, _version_note(lead, version))


def parse_assignments(values: Iterable[str]) -> dict[str, str]:
    """Return ``{field: value}`` from ``FIELD=VALUE`` strings; a later one wins."""
    data: dict[str, str] = {}
    for item in values:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise typer.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="'--set'")
        data[field.strip()] = value
    return data


def _show_written(lead: Lead, as_json: bool, note: str) -> None:
    if as_json:
        print_json(lead.to_dict())
    else:
        say(note)


def _version_note(lead: Lead, version: int) -> str:
    if lead.version == version:
        return f"{lead.id} unchanged (version {lead.version})"
    return f"{lead.id} {lead.status.value}, now at version {lead.version}"


def _user_names(current: Session, user_ids: Iterable[str | None]) -> dict[str, str]:
    """Return e-mails for the given user ids the actor may read (others stay ids)."""
    names: dict[str, str] = {}
    for user_id in set(user_ids):
        if user_id is None:
            continue
        try:
            names[user_id] = current.core.users.get(current.actor_id, user_id).email
        except LeadCoreError:
            continue
    return names
