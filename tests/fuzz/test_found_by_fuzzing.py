"""What the fuzz found, pinned as plain examples so that it cannot come back unnoticed.

Each of these once escaped as UNKNOWN_ERROR or gave an error whose ``to_dict()`` was
not JSON; the comment above each names the test that found it.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

import leadcore
from leadcore import ErrorCode, LeadCore, LeadCoreError
from tests.assessments.helpers import refused
from tests.conftest import People, lead_data
from tests.fuzz.world import FuzzWorld

# More digits than str() converts (sys.get_int_max_str_digits() is 4300 by default).
TOO_MANY_DIGITS = 10**4300


def as_json(error: LeadCoreError) -> str:
    """Return the error as strict JSON that encodes as UTF-8; raise if it is not."""
    text = json.dumps(error.to_dict(), allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    return text


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-leads.get].
def test_an_actor_id_with_too_many_digits_is_unauthorized(world: FuzzWorld) -> None:
    """A huge integer as actor id is UNAUTHORIZED, with a JSON-ready context."""
    error = refused(ErrorCode.UNAUTHORIZED, lambda: world.core.leads.get(TOO_MANY_DIGITS, "x"))
    as_json(error)


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-leads.get].
@pytest.mark.parametrize(
    "lead_id",
    [TOO_MANY_DIGITS, 2**64, float("nan"), float("-inf")],
    ids=["10**4300", "2**64", "nan", "-inf"],
)
def test_a_number_json_cannot_hold_is_echoed_as_text(world: FuzzWorld, lead_id: object) -> None:
    """LEAD_NOT_FOUND for a huge or non-finite number carries it as text, not as a number."""
    error = refused(ErrorCode.LEAD_NOT_FOUND, lambda: world.core.leads.get(world.admin.id, lead_id))
    assert isinstance(error.context["lead_id"], str)
    as_json(error)


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-audit.for_lead].
def test_a_lone_surrogate_in_an_id_is_echoed_as_utf8(world: FuzzWorld) -> None:
    """An id with an unpaired surrogate comes back in the context as valid UTF-8."""
    error = refused(
        ErrorCode.LEAD_NOT_FOUND,
        lambda: world.core.audit.for_lead(world.admin.id, "LEAD-\ud800-1"),
    )
    assert error.context["lead_id"] == "LEAD-?-1"
    as_json(error)


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-leads.create].
def test_a_key_with_too_many_digits_is_named_as_unknown(core: LeadCore, people: People) -> None:
    """A mapping key that cannot even be printed is INVALID_INPUT, named by its type."""
    data: dict[object, object] = {TOO_MANY_DIGITS: "x"}
    data.update(lead_data(1))
    error = refused(ErrorCode.INVALID_INPUT, lambda: core.leads.create(people.reviewer.id, data))
    assert error.context["fields"] == {"<int>": "is not a known field"}


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-assessments.set_questionnaire].
def test_a_question_key_with_too_many_digits_is_invalid_input(
    core: LeadCore, people: People
) -> None:
    """A question definition with an unprintable key is INVALID_INPUT naming the question."""
    question = {"id": "q1", "text": "Why?", "type": "text", TOO_MANY_DIGITS: 1}
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.assessments.set_questionnaire(people.admin.id, [question]),
    )
    assert error.context["fields"] == {"q1": "has unknown keys: <int>"}


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-assessments.submit].
@pytest.mark.parametrize("version", [TOO_MANY_DIGITS, 2**63], ids=["10**4300", "2**63"])
def test_a_version_past_64_bits_is_invalid_input(world: FuzzWorld, version: int) -> None:
    """expected_version beyond a 64-bit integer is INVALID_INPUT, not a failure."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: world.core.assessments.submit(world.assessor.id, world.draft, version),
    )
    assert list(error.context["fields"]) == ["expected_version"]


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-leads.import_rows].
def test_a_batch_size_past_sys_maxsize_imports_in_one_batch(core: LeadCore, people: People) -> None:
    """import_rows with batch_size 2**63 imports the rows (one batch holds them all)."""
    report = core.leads.import_rows(people.admin.id, [lead_data(1), lead_data(2)], 2**63)
    assert (report.imported, report.rejected) == (2, [])


# Found by test_hostile_arguments_are_accepted_or_refused_cleanly[*-leads.import_rows].
@pytest.mark.parametrize(
    "created_at",
    [
        "0001-01-01T00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
)
def test_a_creation_time_outside_utc_rejects_its_row(
    core: LeadCore, people: People, created_at: object
) -> None:
    """A legacy creation time that has no UTC equivalent is a rejected row, not a failure."""
    row = {**lead_data(1), "id": "LEAD-2026-0007", "created_at": created_at}
    report = core.leads.import_rows(people.admin.id, [row])
    assert report.imported == 0
    assert [(r.row_number, r.code, list(r.fields)) for r in report.rejected] == [
        (1, ErrorCode.INVALID_INPUT, ["created_at"])
    ]


# Found by test_run_action_answers_every_hostile_call_with_json.
def test_run_action_gives_a_documents_content_as_base64(world: FuzzWorld) -> None:
    """The envelope of documents.read carries the bytes as Base64 text, so it is JSON."""
    envelope = leadcore.run_action(world.core.documents.read, world.admin.id, world.document)
    assert base64.b64decode(envelope["data"]) == b"%PDF-1.7"
    json.dumps(envelope)


def test_the_pinned_numbers_are_past_the_digit_limit() -> None:
    """TOO_MANY_DIGITS really cannot be printed, so the tests above test what they say."""
    with pytest.raises(ValueError, match="digits"):
        str(TOO_MANY_DIGITS)
