"""Hostile input to every public command, on every store: refused cleanly or accepted.

Each command gets arbitrary arguments in every position (actor ids, lead ids, versions,
mappings with unknown and non-text keys, text with NUL, lone surrogates and
right-to-left marks, 1 MB strings, huge and non-finite numbers, bytes, lists, objects),
mixed with real ids and versions so that calls get past the first check. A call either
succeeds or raises a LeadCoreError that is a refusal (never UNKNOWN_ERROR or
DATABASE_ERROR), whose ``to_dict()`` is JSON, and that wrote nothing at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadcore
from leadcore import ErrorCode, LeadCore, LeadCoreError
from tests import strategies as s
from tests.fuzz.world import FuzzWorld
from tests.surface import StoreState, public_commands, store_state

# Codes that mean leadcore failed, never that the input was bad.
FAILURES = frozenset({ErrorCode.UNKNOWN_ERROR, ErrorCode.DATABASE_ERROR})

# Memory is cheap; the SQL stores pay a round trip per call and per snapshot. For a deeper
# search on demand, LEADCORE_FUZZ_SCALE=20 runs twenty times as many examples.
SCALE = int(os.environ.get("LEADCORE_FUZZ_SCALE", "1"))
EXAMPLES = {"memory": 100 * SCALE, "sqlite": 30 * SCALE, "postgres": 30 * SCALE}


@attrs.frozen
class Target:
    """A public command and the strategy of its positional arguments."""

    method: Callable[[LeadCore], Callable[..., object]]
    arguments: st.SearchStrategy[tuple[object, ...]]


def target(
    method: Callable[[LeadCore], Callable[..., object]], *arguments: st.SearchStrategy[object]
) -> Target:
    """Return the Target of ``method`` called with one value of each of ``arguments``."""
    return Target(method, st.tuples(*arguments))


# Every public command; test_every_public_command_is_fuzzed keeps this list complete.
TARGETS: dict[str, Target] = {
    "users.bootstrap_admin": target(
        lambda c: c.users.bootstrap_admin, s.mostly(s.emails), s.text_slots
    ),
    "users.create": target(lambda c: c.users.create, s.actor_slots, s.user_input_slots),
    "users.get": target(lambda c: c.users.get, s.actor_slots, s.user_slots),
    "users.deactivate": target(lambda c: c.users.deactivate, s.actor_slots, s.user_slots),
    "users.reactivate": target(lambda c: c.users.reactivate, s.actor_slots, s.user_slots),
    "users.active_assessors": target(lambda c: c.users.active_assessors, s.actor_slots),
    "users.list": target(
        lambda c: c.users.list,
        s.actor_slots,
        st.one_of(st.none(), s.role_slots),
        st.one_of(st.none(), s.flag_slots),
        s.limit_slots,
        s.cursor_slots,
    ),
    "leads.create": target(lambda c: c.leads.create, s.actor_slots, s.lead_input_slots),
    "leads.get": target(lambda c: c.leads.get, s.actor_slots, s.lead_slots),
    "leads.list": target(
        lambda c: c.leads.list,
        s.actor_slots,
        st.one_of(st.none(), s.status_slots),
        st.one_of(st.none(), s.user_slots),
        s.limit_slots,
        s.cursor_slots,
    ),
    "leads.update": target(
        lambda c: c.leads.update, s.actor_slots, s.lead_slots, s.lead_change_slots, s.version_slots
    ),
    "leads.assign_assessor": target(
        lambda c: c.leads.assign_assessor,
        s.actor_slots,
        s.lead_slots,
        s.user_slots,
        s.version_slots,
    ),
    "leads.change_status": target(
        lambda c: c.leads.change_status,
        s.actor_slots,
        s.lead_slots,
        s.status_slots,
        s.version_slots,
    ),
    "leads.import_rows": target(
        lambda c: c.leads.import_rows, s.actor_slots, s.import_rows_slots, s.batch_size_slots
    ),
    "leads.rebuild_counters": target(lambda c: c.leads.rebuild_counters, s.actor_slots),
    "audit.for_lead": target(lambda c: c.audit.for_lead, s.actor_slots, s.lead_slots),
    "audit.list": target(
        lambda c: c.audit.list,
        s.actor_slots,
        st.one_of(st.none(), s.audit_action_slots),
        st.one_of(st.none(), s.lead_slots),
        s.limit_slots,
        s.cursor_slots,
    ),
    # Read to the end: the entries are read while iterating.
    "audit.export": target(
        lambda c: lambda *arguments: list(c.audit.export(*arguments)),
        s.actor_slots,
        st.one_of(st.none(), s.audit_action_slots),
        st.one_of(st.none(), s.lead_slots),
        st.one_of(st.none(), s.created_ats),
    ),
    "audit.verify": target(
        lambda c: c.audit.verify, s.actor_slots, st.one_of(st.none(), s.lead_slots)
    ),
    "assessments.set_questionnaire": target(
        lambda c: c.assessments.set_questionnaire, s.actor_slots, s.question_list_slots
    ),
    "assessments.questionnaire": target(
        lambda c: c.assessments.questionnaire, s.actor_slots, s.questionnaire_version_slots
    ),
    "assessments.start": target(lambda c: c.assessments.start, s.actor_slots, s.lead_slots),
    "assessments.save_answers": target(
        lambda c: c.assessments.save_answers,
        s.actor_slots,
        s.assessment_slots,
        s.answer_slots,
        s.assessment_version_slots,
    ),
    "assessments.submit": target(
        lambda c: c.assessments.submit,
        s.actor_slots,
        s.assessment_slots,
        s.assessment_version_slots,
    ),
    "assessments.approve": target(
        lambda c: c.assessments.approve,
        s.actor_slots,
        s.assessment_slots,
        s.assessment_version_slots,
        s.optional_text_slots,
    ),
    "assessments.reject": target(
        lambda c: c.assessments.reject,
        s.actor_slots,
        s.assessment_slots,
        s.assessment_version_slots,
        s.optional_text_slots,
    ),
    "assessments.get": target(lambda c: c.assessments.get, s.actor_slots, s.assessment_slots),
    "assessments.for_lead": target(lambda c: c.assessments.for_lead, s.actor_slots, s.lead_slots),
    "assessments.answers_for_question": target(
        lambda c: c.assessments.answers_for_question, s.actor_slots, s.question_id_slots
    ),
    "documents.upload": target(
        lambda c: c.documents.upload,
        s.actor_slots,
        s.lead_slots,
        s.filename_slots,
        s.content_slots,
        s.content_type_slots,
    ),
    "documents.list": target(lambda c: c.documents.list, s.actor_slots, s.lead_slots),
    "documents.get": target(lambda c: c.documents.get, s.actor_slots, s.document_slots),
    "documents.read": target(lambda c: c.documents.read, s.actor_slots, s.document_slots),
    "documents.delete": target(lambda c: c.documents.delete, s.actor_slots, s.document_slots),
}


def fuzz_settings(store: str) -> settings:
    """Return the Hypothesis settings of a fuzz on ``store``."""
    # Nested hostile values and 1 MB strings are slow and large on purpose.
    return settings(
        max_examples=EXAMPLES[store],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def json_text(data: object) -> bytes:
    """Return ``data`` as strict JSON in UTF-8 (no NaN, no lone surrogates); raise otherwise."""
    return json.dumps(data, allow_nan=False, ensure_ascii=False).encode("utf-8")


class Watcher:
    """Calls commands and remembers the store's state, re-reading it only after a success.

    A refusal must leave the state exactly as the last success left it.
    """

    def __init__(self, world: FuzzWorld) -> None:
        self.world = world
        self.state: StoreState = store_state(world.core)

    def call(self, name: str, arguments: tuple[object, ...]) -> None:
        """Call the command ``name`` with ``arguments`` (Refs resolved) and check the outcome."""
        resolved = [self.world.resolve(argument) for argument in arguments]
        try:
            TARGETS[name].method(self.world.core)(*resolved)
        except LeadCoreError as exc:
            error = exc
        else:
            self.state = store_state(self.world.core)
            return
        assert error.code not in FAILURES, error
        json_text(error.to_dict())
        assert store_state(self.world.core) == self.state


def test_every_public_command_is_fuzzed(core: LeadCore) -> None:
    """The fuzz table names every public method of every service, and nothing else."""
    assert set(TARGETS) == public_commands(core)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_hostile_arguments_are_accepted_or_refused_cleanly(
    world: FuzzWorld, store: str, name: str
) -> None:
    """Any arguments: success, or a refusal code with a JSON-ready error that wrote nothing."""
    watcher = Watcher(world)

    @fuzz_settings(store)
    @given(arguments=TARGETS[name].arguments)
    def attempt(arguments: tuple[object, ...]) -> None:
        watcher.call(name, arguments)

    attempt()


def test_run_action_answers_every_hostile_call_with_json(world: FuzzWorld, store: str) -> None:
    """run_action turns any call into a JSON envelope; a failure is never a leadcore fault."""

    @fuzz_settings(store)
    @given(name=st.sampled_from(sorted(TARGETS)), data=st.data())
    def attempt(name: str, data: st.DataObject) -> None:
        arguments = data.draw(TARGETS[name].arguments)
        resolved = [world.resolve(argument) for argument in arguments]
        envelope = leadcore.run_action(TARGETS[name].method(world.core), *resolved)
        json_text(envelope)
        assert envelope["success"] or ErrorCode(envelope["code"]) not in FAILURES, envelope

    attempt()
