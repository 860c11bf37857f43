"""Error codes, their HTTP statuses and user messages, and LeadCoreError's data."""

from __future__ import annotations

import json

import pytest

from leadcore import ErrorCode, LeadCoreError, user_message
from leadcore.domain import errors

# The codes DESIGN.md lists: the seed's and the two the library adds.
DESIGN_CODES = {
    "UNAUTHORIZED",
    "INSUFFICIENT_PERMISSIONS",
    "SESSION_EXPIRED",
    "USER_INACTIVE",
    "LEAD_NOT_FOUND",
    "ASSESSMENT_NOT_FOUND",
    "USER_NOT_FOUND",
    "INVALID_INPUT",
    "DUPLICATE_CIN",
    "DUPLICATE_RESOURCE",
    "CONCURRENT_MODIFICATION",
    "STALE_DATA",
    "INVALID_STATUS_TRANSITION",
    "ASSESSOR_NOT_ASSIGNED",
    "ASSESSMENT_ALREADY_SUBMITTED",
    "DATABASE_ERROR",
    "UNKNOWN_ERROR",
    "RATE_LIMITED",
    "DOCUMENT_NOT_FOUND",
}

# The mapping of issue 2, written out independently of the code.
EXPECTED_STATUS = {
    "UNAUTHORIZED": 401,
    "SESSION_EXPIRED": 401,
    "INSUFFICIENT_PERMISSIONS": 403,
    "USER_INACTIVE": 403,
    "ASSESSOR_NOT_ASSIGNED": 403,
    "LEAD_NOT_FOUND": 404,
    "ASSESSMENT_NOT_FOUND": 404,
    "USER_NOT_FOUND": 404,
    "DOCUMENT_NOT_FOUND": 404,
    "INVALID_INPUT": 422,
    "DUPLICATE_CIN": 409,
    "DUPLICATE_RESOURCE": 409,
    "CONCURRENT_MODIFICATION": 409,
    "STALE_DATA": 409,
    "INVALID_STATUS_TRANSITION": 409,
    "ASSESSMENT_ALREADY_SUBMITTED": 409,
    "RATE_LIMITED": 429,
    "DATABASE_ERROR": 503,
    "UNKNOWN_ERROR": 500,
}


def test_the_error_codes_are_exactly_those_of_the_design() -> None:
    """ErrorCode holds every code of DESIGN.md and no other."""
    assert {code.value for code in ErrorCode} == DESIGN_CODES


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_has_the_http_status_of_the_issue(code: ErrorCode) -> None:
    """An error's http_status and http_status(code) follow the issue's mapping."""
    error = LeadCoreError(code, "boom")
    assert error.http_status == errors.http_status(code) == EXPECTED_STATUS[code.value]


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_has_a_plain_sentence_for_end_users(code: ErrorCode) -> None:
    """user_message gives a non-empty sentence: capitalised, full stop, no code jargon."""
    message = user_message(code)
    assert message.strip() == message
    assert message[0].isupper()
    assert message.endswith(".")
    assert "_" not in message
    assert code.value not in message


@pytest.mark.parametrize("code", list(ErrorCode))
def test_user_message_takes_the_code_name_as_text(code: ErrorCode) -> None:
    """user_message("DUPLICATE_CIN") is the same sentence as user_message(ErrorCode...)."""
    assert user_message(code.value) == user_message(code) == LeadCoreError(code, "x").user_message


def test_user_message_of_an_unknown_code_is_the_generic_sentence() -> None:
    """A code leadcore does not know gets the UNKNOWN_ERROR sentence, not an exception."""
    assert user_message("NO_SUCH_CODE") == user_message(ErrorCode.UNKNOWN_ERROR)


def test_to_dict_holds_code_message_status_and_context() -> None:
    """LeadCoreError.to_dict is JSON-ready with the code's name, message, status and context."""
    error = errors.duplicate_cin("U72900KA2015PTC012345")
    data = error.to_dict()
    assert data == {
        "code": "DUPLICATE_CIN",
        "message": error.message,
        "http_status": 409,
        "context": {"cin": "U72900KA2015PTC012345"},
    }
    assert json.loads(json.dumps(data)) == data


def test_an_error_keeps_its_own_copy_of_the_context() -> None:
    """Changing the mapping an error was built from does not change the error."""
    context = {"cin": "U72900KA2015PTC012345"}
    error = LeadCoreError(ErrorCode.DUPLICATE_CIN, "dup", context)
    context["cin"] = "changed"
    assert error.context == {"cin": "U72900KA2015PTC012345"}


def test_an_error_without_context_has_an_empty_one() -> None:
    """LeadCoreError(code, message) has context {}."""
    assert LeadCoreError(ErrorCode.UNKNOWN_ERROR, "x").context == {}


def test_the_message_is_the_exception_text_and_repr_names_the_code() -> None:
    """str(error) is its message; repr shows code, message and context."""
    error = errors.lead_not_found("LEAD-2026-0001")
    assert str(error) == error.message
    assert repr(error) == (
        "LeadCoreError(LEAD_NOT_FOUND, 'lead not found', {'lead_id': 'LEAD-2026-0001'})"
    )


def test_concurrent_modification_names_the_entity_and_both_versions() -> None:
    """The context holds <entity>_id, expected_version and actual_version."""
    error = errors.concurrent_modification("lead", "LEAD-2026-0001", 1, 3)
    assert error.code is ErrorCode.CONCURRENT_MODIFICATION
    assert error.context == {
        "lead_id": "LEAD-2026-0001",
        "expected_version": 1,
        "actual_version": 3,
    }


def test_stale_data_names_the_entity_and_both_versions() -> None:
    """STALE_DATA carries the same context as CONCURRENT_MODIFICATION."""
    error = errors.stale_data("assessment", "a-1", 2, 3)
    assert (error.code, error.context) == (
        ErrorCode.STALE_DATA,
        {"assessment_id": "a-1", "expected_version": 2, "actual_version": 3},
    )


def test_invalid_transition_names_from_and_to() -> None:
    """INVALID_STATUS_TRANSITION has context {"from", "to"}."""
    error = errors.invalid_transition("NEW", "COMPLETED")
    assert error.context == {"from": "NEW", "to": "COMPLETED"}


def test_invalid_input_names_every_field_in_its_message_and_context() -> None:
    """The message lists the bad fields in order; context["fields"] maps each to a reason."""
    error = errors.invalid_input({"cin": "bad", "company_name": "is required"})
    assert error.message == "invalid input: cin, company_name"
    assert error.context == {"fields": {"cin": "bad", "company_name": "is required"}}


def test_a_hostile_actor_id_is_shortened_in_the_context() -> None:
    """An unknown actor given as 100 KB of text is echoed back as at most 100 characters."""
    error = errors.unauthorized("x" * 100_000)
    assert error.context == {"actor_id": "x" * 100}


@pytest.mark.parametrize("value", [None, 42, 1.5, True])
def test_scalar_ids_stay_json_scalars_in_the_context(value: object) -> None:
    """None, numbers and booleans are kept as they are, not turned into text."""
    assert errors.user_not_found(value).context == {"user_id": value}


def test_database_error_says_whether_a_retry_may_succeed() -> None:
    """DATABASE_ERROR's context holds retryable and any extra data."""
    error = errors.database_error("gone", retryable=True, operation="insert")
    assert (error.code, error.context) == (
        ErrorCode.DATABASE_ERROR,
        {"retryable": True, "operation": "insert"},
    )


def test_duplicate_resource_carries_what_is_taken() -> None:
    """DUPLICATE_RESOURCE's context is the keyword data it was given."""
    assert errors.duplicate_resource(email="a@x.in").context == {"email": "a@x.in"}


def test_unknown_error_has_no_context() -> None:
    """UNKNOWN_ERROR carries only its message."""
    error = errors.unknown_error("create failed unexpectedly")
    assert (error.code, error.message, error.context) == (
        ErrorCode.UNKNOWN_ERROR,
        "create failed unexpectedly",
        {},
    )
