"""Every command x every role x active, inactive and unknown actors, against the table.

The expectations come from ``leadcore.domain.users.PERMISSIONS`` (see tests/authz/matrix.py):
a role that holds a row's permission succeeds, on a fresh store; every other actor is
refused with the predicted code, on a shared store that the refusal must leave unchanged.
"""

from __future__ import annotations

import pytest

from leadcore import ErrorCode, LeadCore
from leadcore.domain.users import PERMISSIONS
from tests.assessments.helpers import refused
from tests.authz.matrix import ACTORS, ROWS, WITHOUT_ACTOR, Actor, Row, Stage, State
from tests.surface import public_commands, store_state

ALLOWED: list[tuple[Row, Actor]] = [
    (row, actor) for row in ROWS for actor in ACTORS if actor.expected(row) is None
]
REFUSED: list[tuple[Row, Actor, ErrorCode]] = [
    (row, actor, code) for row in ROWS for actor in ACTORS if (code := actor.expected(row))
]


def case_id(row: Row, actor: Actor) -> str:
    """Return a readable test id: the row, then the actor."""
    return f"{row.name} as {actor}"


def test_every_command_with_an_actor_has_a_row(core: LeadCore) -> None:
    """The matrix covers every public command that takes an actor, and names no other."""
    assert {row.command for row in ROWS} == public_commands(core) - WITHOUT_ACTOR


def test_every_role_is_allowed_something_and_refused_something() -> None:
    """The table the matrix is built from is not degenerate: each role has both outcomes."""
    for role in PERMISSIONS:
        active = Actor(State.ACTIVE, role)
        outcomes = {active.expected(row) for row in ROWS}
        assert {None, ErrorCode.INSUFFICIENT_PERMISSIONS} <= outcomes, role


@pytest.mark.parametrize(
    ("row", "actor"), ALLOWED, ids=[case_id(row, actor) for row, actor in ALLOWED]
)
def test_an_actor_whose_role_holds_the_permission_succeeds(
    stage: Stage, row: Row, actor: Actor
) -> None:
    """An active user whose role the table allows runs the command without a refusal."""
    row.call(stage.core, actor.id_on(stage), stage)


@pytest.mark.parametrize(
    ("row", "actor", "code"),
    REFUSED,
    ids=[case_id(row, actor) for row, actor, _ in REFUSED],
)
def test_any_other_actor_gets_the_predicted_code_and_changes_nothing(
    shared_stage: Stage, row: Row, actor: Actor, code: ErrorCode
) -> None:
    """Unknown, inactive or unpermitted: the table's code, and the store is as it was."""
    core = shared_stage.core
    before = store_state(core)
    refused(code, lambda: row.call(core, actor.id_on(shared_stage), shared_stage))
    assert store_state(core) == before
