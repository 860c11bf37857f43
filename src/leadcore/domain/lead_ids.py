"""Human-readable lead ids: ``LEAD-<year>-<number>``, one gapless counter per year."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from leadcore.domain import errors

_ZERO = timedelta(0)


def _check_prefix(_instance: object, _attribute: object, value: str) -> None:
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,15}", value):
        raise errors.invalid_field("lead_id_prefix", "must be 1-16 upper-case letters or digits")


def _check_width(_instance: object, _attribute: object, value: int) -> None:
    if not 1 <= value <= 12:
        raise errors.invalid_field("lead_id_width", "must be between 1 and 12")


def _check_zone(_instance: object, _attribute: object, value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise errors.invalid_field("lead_id_timezone", "must be an IANA time zone") from exc


@attrs.frozen
class LeadIdFormat:
    """How lead ids look and which calendar year a creation counts in."""

    prefix: str = attrs.field(default="LEAD", validator=_check_prefix)
    width: int = attrs.field(default=4, validator=_check_width)
    timezone: str = attrs.field(default="UTC", validator=_check_zone)

    def year_of(self, at: datetime) -> int:
        """Return the year ``at`` falls in, in this format's time zone."""
        if self.timezone == "UTC" and at.utcoffset() == _ZERO:
            return at.year
        return at.astimezone(ZoneInfo(self.timezone)).year

    def counter_name(self, year: int) -> str:
        """Return the name of the gapless counter for ``year``."""
        return f"lead-{year}"

    def format(self, year: int, number: int) -> str:
        """Return the id of lead ``number`` of ``year``; the number grows past the width."""
        return f"{self.prefix}-{year}-{number:0{self.width}d}"

    def parse(self, lead_id: str) -> tuple[int, int] | None:
        """Return (year, number) of an id in this format, or None if it is not one."""
        match = re.fullmatch(rf"{self.prefix}-(\d{{4}})-(\d{{{self.width},18}})", lead_id)
        if match is None:
            return None
        year, number = int(match[1]), int(match[2])
        # Only the canonical spelling counts: LEAD-2026-00001 would shadow LEAD-2026-0001.
        return (year, number) if self.format(year, number) == lead_id else None

    def numbering(self, at: datetime) -> LeadNumbering:
        """Return the numbering a lead created at ``at`` takes."""
        year = self.year_of(at)
        return LeadNumbering(
            counter=self.counter_name(year), prefix=f"{self.prefix}-{year}-", width=self.width
        )


@attrs.frozen
class LeadNumbering:
    """Where a new lead's number comes from and how it is written: ``prefix`` + padded number."""

    counter: str
    prefix: str
    width: int

    def format(self, number: int) -> str:
        """Return the lead id for ``number``."""
        return f"{self.prefix}{number:0{self.width}d}"


def highest_numbers(lead_ids: Iterable[str], prefix: str) -> dict[int, int]:
    """Return {year: highest number} over the ids of the form ``<prefix>-<year>-<number>``.

    Any spelling of the number counts (LEAD-2026-00007 is 7): rebuilding a counter must
    rise past every id a store holds, however it got there.
    """
    highest: dict[int, int] = {}
    for lead_id in lead_ids:
        head, _, rest = lead_id.partition("-")
        year, _, number = rest.partition("-")
        if head == prefix and year.isdigit() and number.isdigit():
            highest[int(year)] = max(highest.get(int(year), 0), int(number))
    return highest
