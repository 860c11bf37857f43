"""Bulk import of leads: the report, and what a row may carry besides the editable fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import attrs

from leadcore.domain import errors
from leadcore.domain.errors import ErrorCode, LeadCoreError
from leadcore.domain.lead_ids import LeadIdFormat
from leadcore.domain.validation import validate_new_lead

LEGACY_FIELDS: tuple[str, ...] = ("id", "created_at")


class RejectedRow(NamedTuple):
    """One refused input row: its 1-based number, the code, and the fields at fault."""

    row_number: int
    code: ErrorCode
    fields: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Return the rejection as JSON-ready data."""
        return {"row_number": self.row_number, "code": self.code.value, "fields": dict(self.fields)}


@attrs.frozen
class ImportReport:
    """What an import did: how many leads it added and which rows it refused, and why."""

    imported: int
    rejected: list[RejectedRow]

    def rejected_by_code(self) -> dict[str, int]:
        """Return how many rows each code refused."""
        counts: dict[str, int] = {}
        for row in self.rejected:
            counts[row.code.value] = counts.get(row.code.value, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {"imported": self.imported, "rejected": [r.to_dict() for r in self.rejected]}


@attrs.frozen
class ImportRow:
    """A validated row: the lead fields, and for legacy rows their own id and creation time."""

    row_number: int
    fields: dict[str, str | None]
    legacy_id: str | None = None
    legacy_number: tuple[int, int] | None = None
    created_at: datetime | None = None


def parse_row(row_number: int, row: object, id_format: LeadIdFormat) -> ImportRow:
    """Validate one input row; raise INVALID_INPUT naming every bad field."""
    if not isinstance(row, Mapping):
        raise errors.invalid_field("row", "must be a mapping of field names to values")
    # A CSV cell that is empty means "no value", not an empty string.
    lead_part = {k: (None if v == "" else v) for k, v in row.items() if k not in LEGACY_FIELDS}
    problems: dict[str, str] = {}
    try:
        fields = validate_new_lead(lead_part)
    except LeadCoreError as exc:
        problems.update(exc.context.get("fields", {}))
        fields = {}
    legacy_id, number, created_at = _legacy(row, id_format, problems)
    if problems:
        raise errors.invalid_input(problems)
    return ImportRow(row_number, fields, legacy_id, number, created_at)


def _legacy(
    row: Mapping[Any, Any], id_format: LeadIdFormat, problems: dict[str, str]
) -> tuple[str | None, tuple[int, int] | None, datetime | None]:
    raw_id = row.get("id")
    raw_at = row.get("created_at")
    if raw_id in (None, ""):
        if raw_at not in (None, ""):
            problems["created_at"] = "may only be given with a legacy id"
        return None, None, None
    if not isinstance(raw_id, str):
        problems["id"] = "must be a lead id"
        return None, None, None
    number = id_format.parse(raw_id.strip())
    if number is None:
        problems["id"] = f"must look like {id_format.format(2026, 1)}"
        return None, None, None
    return raw_id.strip(), number, _created_at(raw_at, problems)


def _created_at(value: object, problems: dict[str, str]) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            problems["created_at"] = "must be an ISO 8601 date and time with a time zone"
            return None
    else:
        problems["created_at"] = "must be an ISO 8601 date and time with a time zone"
        return None
    if moment.tzinfo is None:
        problems["created_at"] = "must carry a time zone"
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the first instant in UTC
        problems["created_at"] = "must fall between the years 1 and 9999 in UTC"
        return None
