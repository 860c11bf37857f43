"""Error codes and the one exception type that crosses the library boundary."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any


class ErrorCode(enum.StrEnum):
    """Every refusal leadcore reports, named for what went wrong."""

    UNAUTHORIZED = "UNAUTHORIZED"
    INSUFFICIENT_PERMISSIONS = "INSUFFICIENT_PERMISSIONS"
    SESSION_EXPIRED = "SESSION_EXPIRED"
    USER_INACTIVE = "USER_INACTIVE"
    LEAD_NOT_FOUND = "LEAD_NOT_FOUND"
    ASSESSMENT_NOT_FOUND = "ASSESSMENT_NOT_FOUND"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    DOCUMENT_NOT_FOUND = "DOCUMENT_NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    DUPLICATE_CIN = "DUPLICATE_CIN"
    DUPLICATE_RESOURCE = "DUPLICATE_RESOURCE"
    CONCURRENT_MODIFICATION = "CONCURRENT_MODIFICATION"
    STALE_DATA = "STALE_DATA"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    ASSESSOR_NOT_ASSIGNED = "ASSESSOR_NOT_ASSIGNED"
    ASSESSMENT_ALREADY_SUBMITTED = "ASSESSMENT_ALREADY_SUBMITTED"
    RATE_LIMITED = "RATE_LIMITED"
    DATABASE_ERROR = "DATABASE_ERROR"
    UNKNOWN_ERROR = "UNKNOWN_ERROR"


HTTP_STATUS: Mapping[ErrorCode, int] = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.SESSION_EXPIRED: 401,
    ErrorCode.INSUFFICIENT_PERMISSIONS: 403,
    ErrorCode.USER_INACTIVE: 403,
    ErrorCode.ASSESSOR_NOT_ASSIGNED: 403,
    ErrorCode.LEAD_NOT_FOUND: 404,
    ErrorCode.ASSESSMENT_NOT_FOUND: 404,
    ErrorCode.USER_NOT_FOUND: 404,
    ErrorCode.DOCUMENT_NOT_FOUND: 404,
    ErrorCode.INVALID_INPUT: 422,
    ErrorCode.DUPLICATE_CIN: 409,
    ErrorCode.DUPLICATE_RESOURCE: 409,
    ErrorCode.CONCURRENT_MODIFICATION: 409,
    ErrorCode.STALE_DATA: 409,
    ErrorCode.INVALID_STATUS_TRANSITION: 409,
    ErrorCode.ASSESSMENT_ALREADY_SUBMITTED: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.DATABASE_ERROR: 503,
    ErrorCode.UNKNOWN_ERROR: 500,
}

USER_MESSAGES: Mapping[ErrorCode, str] = {
    ErrorCode.UNAUTHORIZED: "Please sign in to continue.",
    ErrorCode.SESSION_EXPIRED: "Your session has expired. Please sign in again.",
    ErrorCode.INSUFFICIENT_PERMISSIONS: "You don't have permission for this action.",
    ErrorCode.USER_INACTIVE: "Your account has been deactivated. Contact an administrator.",
    ErrorCode.ASSESSOR_NOT_ASSIGNED: "Only the assessor assigned to this lead can do this.",
    ErrorCode.LEAD_NOT_FOUND: "This lead could not be found.",
    ErrorCode.ASSESSMENT_NOT_FOUND: "This assessment could not be found.",
    ErrorCode.USER_NOT_FOUND: "This user could not be found.",
    ErrorCode.DOCUMENT_NOT_FOUND: "This document could not be found.",
    ErrorCode.INVALID_INPUT: "Some of the information entered is not valid. Please check it.",
    ErrorCode.DUPLICATE_CIN: "A company with this CIN already exists.",
    ErrorCode.DUPLICATE_RESOURCE: "This record already exists.",
    ErrorCode.CONCURRENT_MODIFICATION: (
        "This record was changed by someone else. Please refresh and try again."
    ),
    ErrorCode.STALE_DATA: (
        "This record changed while you were saving. Please refresh and try again."
    ),
    ErrorCode.INVALID_STATUS_TRANSITION: "This status change is not allowed.",
    ErrorCode.ASSESSMENT_ALREADY_SUBMITTED: "This assessment has already been submitted.",
    ErrorCode.RATE_LIMITED: "Too many requests. Please wait a moment and try again.",
    ErrorCode.DATABASE_ERROR: "The service is temporarily unavailable. Please try again.",
    ErrorCode.UNKNOWN_ERROR: "Something went wrong. Please try again.",
}


def http_status(code: ErrorCode) -> int:
    """Return the HTTP status a web back end should answer with for ``code``."""
    return HTTP_STATUS[code]


def user_message(code: ErrorCode | str) -> str:
    """Return a plain-language sentence for end users; unknown codes get the generic one."""
    try:
        return USER_MESSAGES[ErrorCode(code)]
    except ValueError:
        return USER_MESSAGES[ErrorCode.UNKNOWN_ERROR]


class LeadCoreError(Exception):
    """The only exception leadcore lets reach its callers.

    ``context`` is JSON-ready data about the refusal (the CIN, the versions, the
    fields at fault); ``message`` is for developers and logs, ``user_message`` for people.
    """

    def __init__(
        self, code: ErrorCode, message: str, context: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.context: dict[str, Any] = dict(context or {})

    @property
    def http_status(self) -> int:
        """The HTTP status matching this error's code."""
        return HTTP_STATUS[self.code]

    @property
    def user_message(self) -> str:
        """A plain-language sentence for end users."""
        return USER_MESSAGES[self.code]

    def to_dict(self) -> dict[str, Any]:
        """Return the error as JSON-ready data: code, message, status and context."""
        return {
            "code": self.code.value,
            "message": self.message,
            "http_status": self.http_status,
            "context": self.context,
        }

    def __repr__(self) -> str:
        return f"LeadCoreError({self.code.value}, {self.message!r}, {self.context!r})"


# Factories, one per situation, so that a call site reads as a sentence.


def unauthorized(actor_id: object = None) -> LeadCoreError:
    """The acting user is unknown."""
    return LeadCoreError(ErrorCode.UNAUTHORIZED, "unknown acting user", _ctx(actor_id=actor_id))


def user_inactive(user_id: str) -> LeadCoreError:
    """The acting user has been deactivated."""
    return LeadCoreError(
        ErrorCode.USER_INACTIVE, "the acting user is deactivated", {"user_id": user_id}
    )


def insufficient_permissions(user_id: str, role: str, action: str) -> LeadCoreError:
    """The acting user's role may not do ``action``."""
    return LeadCoreError(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        f"role {role} may not {action}",
        {"user_id": user_id, "role": role, "action": action},
    )


def lead_not_found(lead_id: object) -> LeadCoreError:
    """No lead has this id (or the actor may not see it)."""
    return LeadCoreError(ErrorCode.LEAD_NOT_FOUND, "lead not found", _ctx(lead_id=lead_id))


def user_not_found(user_id: object) -> LeadCoreError:
    """No user has this id."""
    return LeadCoreError(ErrorCode.USER_NOT_FOUND, "user not found", _ctx(user_id=user_id))


def invalid_input(fields: Mapping[str, str]) -> LeadCoreError:
    """The input broke one or more rules; ``fields`` maps each bad field to a reason."""
    names = ", ".join(sorted(fields))
    return LeadCoreError(
        ErrorCode.INVALID_INPUT, f"invalid input: {names}", {"fields": dict(fields)}
    )


def invalid_field(field: str, reason: str) -> LeadCoreError:
    """A single field is at fault."""
    return invalid_input({field: reason})


def duplicate_cin(cin: str) -> LeadCoreError:
    """Another lead already has this (normalised) CIN."""
    return LeadCoreError(ErrorCode.DUPLICATE_CIN, f"a lead with CIN {cin} exists", {"cin": cin})


def duplicate_resource(**context: Any) -> LeadCoreError:
    """A unique value (such as a user's e-mail) is already taken."""
    return LeadCoreError(ErrorCode.DUPLICATE_RESOURCE, "the resource already exists", context)


def concurrent_modification(
    entity: str, entity_id: str, expected_version: int, actual_version: int
) -> LeadCoreError:
    """The caller's copy is out of date: someone else changed the entity first."""
    return LeadCoreError(
        ErrorCode.CONCURRENT_MODIFICATION,
        f"{entity} {entity_id} is at version {actual_version}, not {expected_version}",
        {
            f"{entity}_id": entity_id,
            "expected_version": expected_version,
            "actual_version": actual_version,
        },
    )


def stale_data(
    entity: str, entity_id: str, expected_version: int, actual_version: int
) -> LeadCoreError:
    """The version moved between the check and the write."""
    return LeadCoreError(
        ErrorCode.STALE_DATA,
        f"{entity} {entity_id} changed to version {actual_version} during the write",
        {
            f"{entity}_id": entity_id,
            "expected_version": expected_version,
            "actual_version": actual_version,
        },
    )


def invalid_transition(current: str, target: str) -> LeadCoreError:
    """The status machine has no move from ``current`` to ``target``."""
    return LeadCoreError(
        ErrorCode.INVALID_STATUS_TRANSITION,
        f"no transition from {current} to {target}",
        {"from": current, "to": target},
    )


def assessment_not_found(assessment_id: object) -> LeadCoreError:
    """No assessment has this id (or the actor may not see it)."""
    return LeadCoreError(
        ErrorCode.ASSESSMENT_NOT_FOUND,
        "assessment not found",
        _ctx(assessment_id=assessment_id),
    )


def document_not_found(document_id: object) -> LeadCoreError:
    """No document has this id, it was deleted, or the actor may not see it."""
    return LeadCoreError(
        ErrorCode.DOCUMENT_NOT_FOUND, "document not found", _ctx(document_id=document_id)
    )


def assessor_not_assigned(lead_id: str, user_id: str) -> LeadCoreError:
    """Someone other than the lead's assigned assessor tried to work on its assessment."""
    return LeadCoreError(
        ErrorCode.ASSESSOR_NOT_ASSIGNED,
        f"user {user_id} is not the assessor assigned to lead {lead_id}",
        _ctx(lead_id=lead_id, user_id=user_id),
    )


def assessment_already_submitted(assessment_id: str, status: str) -> LeadCoreError:
    """The assessment has left DRAFT, so its answers can no longer change."""
    return LeadCoreError(
        ErrorCode.ASSESSMENT_ALREADY_SUBMITTED,
        f"assessment {assessment_id} is {status}, no longer a draft",
        _ctx(assessment_id=assessment_id, status=status),
    )


def database_error(message: str, *, retryable: bool, **context: Any) -> LeadCoreError:
    """The store failed; ``retryable`` says whether the same call may succeed later."""
    return LeadCoreError(ErrorCode.DATABASE_ERROR, message, {"retryable": retryable, **context})


def unknown_error(message: str) -> LeadCoreError:
    """Something unexpected went wrong; the cause is chained for the logs."""
    return LeadCoreError(ErrorCode.UNKNOWN_ERROR, message)


def shown(value: object, limit: int) -> str:
    """Return ``value`` as text safe to echo back: at most ``limit`` characters, valid UTF-8.

    Text is kept (an unpaired surrogate becomes "?"); anything else is its repr, or its
    type's name where even that fails (an int with more digits than Python will print).
    """
    if isinstance(value, str):
        text = value
    else:
        try:
            text = repr(value)
        except ValueError:  # int_max_str_digits: a huge int, perhaps inside a list
            text = f"<{type(value).__name__}>"
    return text[:limit].encode("utf-8", "replace").decode("utf-8")


def _ctx(**values: object) -> dict[str, Any]:
    """Keep only JSON-ready scalar values, shortened, so that hostile ids stay harmless.

    Numbers JSON cannot carry or a 64-bit column cannot hold (NaN, infinities, huge
    integers) are echoed as text, like every other value that is not a scalar.
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or isinstance(value, bool) or _json_number(value):
            out[key] = value
        else:
            out[key] = shown(value, 100)
    return out


def _json_number(value: object) -> bool:
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, float) and math.isfinite(value)
