"""Lead ids: LEAD-<year>-<number>, padded, growing past the width, the year set by a zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given

from leadcore import ErrorCode, LeadCoreError, LeadIdFormat, Settings
from tests import strategies

DEFAULT = LeadIdFormat()


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "LEAD-2026-0001"),
        (42, "LEAD-2026-0042"),
        (999, "LEAD-2026-0999"),
        (9999, "LEAD-2026-9999"),
        (10000, "LEAD-2026-10000"),
        (123456, "LEAD-2026-123456"),
    ],
)
def test_numbers_are_padded_to_four_and_grow_past_9999(number: int, expected: str) -> None:
    """The default format pads to width 4 and writes larger numbers in full."""
    assert DEFAULT.format(2026, number) == expected


def test_prefix_and_width_are_settings() -> None:
    """A deployment's prefix and width shape the id."""
    assert LeadIdFormat(prefix="ACME", width=6).format(2027, 12) == "ACME-2027-000012"


def test_the_defaults_are_lead_width_4_and_utc() -> None:
    """Without settings, ids are LEAD-, width 4, years counted in UTC."""
    assert Settings().lead_id_format() == LeadIdFormat("LEAD", 4, "UTC")


def test_new_years_eve_evening_in_utc_is_next_year_in_kolkata() -> None:
    """2026-12-31T20:00Z is 2027-01-01 01:30 in Asia/Kolkata: the lead counts in 2027."""
    at = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert LeadIdFormat(timezone="Asia/Kolkata").year_of(at) == 2027
    assert DEFAULT.year_of(at) == 2026


def test_the_last_microsecond_of_the_year_still_counts_in_that_year() -> None:
    """2026-12-31T23:59:59.999999Z is 2026 in UTC, and the next microsecond is 2027."""
    last = datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert DEFAULT.year_of(last) == 2026
    assert DEFAULT.year_of(last + timedelta(microseconds=1)) == 2027


def test_the_year_is_taken_in_the_zone_whatever_offset_the_time_carries() -> None:
    """A time given in another offset is converted to the format's zone before its year."""
    at = datetime(2027, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))  # 21:30Z
    assert DEFAULT.year_of(at) == 2026


def test_numbering_names_a_counter_per_year_and_formats_like_the_format() -> None:
    """numbering(at) uses the counter of at's year and writes the same id as format()."""
    kolkata = LeadIdFormat(prefix="IN", width=5, timezone="Asia/Kolkata")
    numbering = kolkata.numbering(datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    assert numbering.counter == kolkata.counter_name(2027) != kolkata.counter_name(2026)
    assert numbering.format(7) == kolkata.format(2027, 7) == "IN-2027-00007"


@given(strategies.years, strategies.lead_numbers)
def test_parse_reverses_format(year: int, number: int) -> None:
    """Every formatted id parses back to its (year, number)."""
    assert DEFAULT.parse(DEFAULT.format(year, number)) == (year, number)


@pytest.mark.parametrize(
    "lead_id",
    [
        "LEAD-2026-00001",  # padded wider than the width: not the canonical spelling
        "LEAD-2026-001",  # narrower than the width
        "ACME-2026-0001",  # another prefix
        "LEAD-26-0001",
        "lead-2026-0001",
        "LEAD-2026-0001 ",
        "LEAD-२०२६-0001",  # Devanagari digits
        "",
        "LEAD-2026-",
    ],
)
def test_parse_refuses_anything_but_the_canonical_spelling(lead_id: str) -> None:
    """parse returns None for ids that are not exactly what format would write."""
    assert DEFAULT.parse(lead_id) is None


@pytest.mark.parametrize("prefix", ["", "lead", "LE-AD", "L" * 17, "1LEAD", "LEAD "])
def test_a_bad_prefix_is_refused(prefix: str) -> None:
    """The prefix is 1-16 upper-case letters or digits, starting with a letter."""
    with pytest.raises(LeadCoreError) as caught:
        LeadIdFormat(prefix=prefix)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert set(caught.value.context["fields"]) == {"lead_id_prefix"}


@pytest.mark.parametrize("width", [0, -1, 13])
def test_a_width_outside_1_to_12_is_refused(width: int) -> None:
    """Width 0, negative or above 12 is INVALID_INPUT naming lead_id_width."""
    with pytest.raises(LeadCoreError) as caught:
        LeadIdFormat(width=width)
    assert set(caught.value.context["fields"]) == {"lead_id_width"}


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd", "Asia/Kolkata "])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    """A name that is not an IANA zone is INVALID_INPUT naming lead_id_timezone."""
    with pytest.raises(LeadCoreError) as caught:
        LeadIdFormat(timezone=zone)
    assert set(caught.value.context["fields"]) == {"lead_id_timezone"}
