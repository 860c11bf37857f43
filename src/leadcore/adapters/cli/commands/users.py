"""``users add | list | deactivate | reactivate``."""

from __future__ import annotations

from typing import Annotated

import typer

from leadcore.adapters.cli.context import AsOption, DbOption, JsonOption, session
from leadcore.adapters.cli.output import print_json, print_users, say
from leadcore.domain.users import Role, User

app = typer.Typer(help="Manage users (ADMIN); list them (ADMIN, REVIEWER).", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Option("--email", help="E-mail, unique in any case.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[Role, typer.Option("--role", case_sensitive=False, help="What they do.")],
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user (ADMIN only)."""
    with session(ctx, "users add", db=db, actor=actor, target=email) as current:
        user = current.core.users.create(
            current.actor_id, {"email": email, "name": name, "role": role}
        )
        current.target = user.id
        if as_json:
            print_json(user.to_dict())
        else:
            say(f"created {user.role.value} {user.email} ({user.id})")


@app.command("list")
def list_users(
    ctx: typer.Context,
    role: Annotated[
        Role | None, typer.Option("--role", case_sensitive=False, help="Only this role.")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", show_default=False, help="Only active or inactive."),
    ] = None,
    actor: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List users in creation order (ADMIN, REVIEWER)."""
    with session(ctx, "users list", db=db, actor=actor) as current:
        found: list[User] = []
        after: str | None = None
        while True:
            page = current.core.users.list(
                current.actor_id, role=role, active=active, limit=1000, after=after
            )
            found.extend(page.items)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        if as_json:
            print_json([user.to_dict() for user in found])
        else:
            print_users(found)


@app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The user to deactivate.")],
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Deactivate a user (ADMIN only); their later commands are refused with USER_INACTIVE."""
    with session(ctx, "users deactivate", db=db, actor=actor, target=email) as current:
        user = current.core.users.deactivate(current.actor_id, current.user_id(email))
        say(f"{user.email} is deactivated")


@app.command("reactivate")
def reactivate(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The user to reactivate.")],
    actor: AsOption = None,
    db: DbOption = None,
) -> None:
    """Let a deactivated user act again (ADMIN only)."""
    with session(ctx, "users reactivate", db=db, actor=actor, target=email) as current:
        user = current.core.users.reactivate(current.actor_id, current.user_id(email))
        say(f"{user.email} is active")
