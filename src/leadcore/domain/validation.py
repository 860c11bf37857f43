"""Validation of incoming mappings: every bad field is named in one INVALID_INPUT error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from leadcore.domain import errors
from leadcore.domain.leads import EDITABLE_FIELDS, REQUIRED_FIELDS
from leadcore.domain.users import Role

# ASCII: without it \d also matches other scripts' digits (Devanagari ones, say), a second spelling
# of a CIN that would slip past the duplicate check.
CIN_PATTERN = re.compile(r"[LU]\d{5}[A-Z]{2}\d{4}[A-Z]{3}\d{6}", re.ASCII)
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
# An area code may open in brackets: "(080) 2345-6789".
PHONE_PATTERN = re.compile(r"\+?[0-9(][0-9 ()\-]*")

# Maximum length in characters of every text field.
MAX_LENGTHS: Mapping[str, int] = {
    "cin": 21,
    "company_name": 200,
    "contact_name": 100,
    "contact_email": 254,
    "contact_phone": 20,
    "city": 100,
    "state": 100,
    "notes": 2000,
    "email": 254,
    "name": 100,
}
# Fields where a line break or a tab is part of the text.
MULTILINE_FIELDS: frozenset[str] = frozenset({"notes"})
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; Cs is U+D800-U+DFFF.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_EXCEPT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
MAX_ID_LENGTH = 64


@attrs.frozen
class LeadInput:
    """The editable fields of a lead as a typed object; None means "not given"."""

    company_name: str | None = None
    cin: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    city: str | None = None
    state: str | None = None
    notes: str | None = None

    def given(self) -> dict[str, Any]:
        """Return the fields that were given."""
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}


@attrs.frozen
class UserInput:
    """A new user as a typed object."""

    email: str
    name: str
    role: Role | str


class _Problems:
    """Collects the reason for each bad field, so that one error names them all."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: object, reason: str) -> None:
        self.fields.setdefault(_field_name(field), reason)

    def raise_if_any(self) -> None:
        if self.fields:
            raise errors.invalid_input(self.fields)


def normalize_cin(value: str) -> str:
    """Return the CIN stripped and upper-cased."""
    return value.strip().upper()


def is_valid_cin(cin: str) -> bool:
    """Say whether a normalised CIN has the 21-character shape."""
    return CIN_PATTERN.fullmatch(cin) is not None


def text_problem(field: str, value: object, *, required: bool) -> str | None:
    """Return why ``value`` is not acceptable text for ``field``, or None when it is."""
    if value is None:
        return "is required" if required else None
    if not isinstance(value, str):
        return "must be text"
    limit = MAX_LENGTHS.get(field, 200)
    if len(value.strip()) > limit:
        return f"must be at most {limit} characters"
    forbidden = _FORBIDDEN_EXCEPT_LINES if field in MULTILINE_FIELDS else _FORBIDDEN
    found = forbidden.search(value)
    if found is not None:
        if _SURROGATES.match(found.group()):
            return "must not contain unpaired surrogates"
        return "must not contain control characters"
    if required and not value.strip():
        return "is required"
    return None


def _clean_text(field: str, value: object, problems: _Problems, *, required: bool) -> Any:
    reason = text_problem(field, value, required=required)
    if reason is not None:
        problems.add(field, reason)
        return None
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def _lead_field(name: str, value: object, problems: _Problems, *, required: bool) -> Any:
    cleaned = _clean_text(name, value, problems, required=required)
    if cleaned is None:
        return None
    if name == "cin":
        cleaned = normalize_cin(cleaned)
        if not is_valid_cin(cleaned):
            problems.add(name, "must be a 21-character CIN such as U72900KA2015PTC012345")
    elif name == "contact_email" and EMAIL_PATTERN.fullmatch(cleaned) is None:
        problems.add(name, "must be an e-mail address")
    elif name == "contact_phone" and not _is_phone(cleaned):
        problems.add(name, "must be a phone number of 7 to 15 digits")
    return cleaned


def _is_phone(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return PHONE_PATTERN.fullmatch(value) is not None and 7 <= digits <= 15


def as_mapping(data: object, typed: type[LeadInput] | type[UserInput]) -> Mapping[Any, Any]:
    """Return ``data`` as a mapping, accepting the matching attrs class too."""
    if isinstance(data, LeadInput):
        return data.given()
    if isinstance(data, UserInput):
        return attrs.asdict(data)
    if isinstance(data, Mapping):
        return data
    raise errors.invalid_field("input", f"must be a mapping or a {typed.__name__}")


def validate_new_lead(data: object) -> dict[str, str | None]:
    """Return the cleaned fields of a new lead; raise INVALID_INPUT naming every bad field."""
    mapping = as_mapping(data, LeadInput)
    problems = _Problems()
    _refuse_unknown(mapping, EDITABLE_FIELDS, problems)
    cleaned: dict[str, str | None] = {}
    for name in EDITABLE_FIELDS:
        value = mapping.get(name)
        required = name in REQUIRED_FIELDS
        # An optional field left out is None: no checks to run (most creates give few).
        cleaned[name] = (
            None
            if value is None and not required
            else _lead_field(name, value, problems, required=required)
        )
    problems.raise_if_any()
    return cleaned


def validate_lead_changes(data: object) -> dict[str, str | None]:
    """Return the cleaned fields of a partial update (None clears an optional field)."""
    mapping = as_mapping(data, LeadInput)
    problems = _Problems()
    _refuse_unknown(mapping, EDITABLE_FIELDS, problems)
    cleaned = {
        name: _lead_field(name, value, problems, required=name in REQUIRED_FIELDS)
        for name, value in mapping.items()
        if name in EDITABLE_FIELDS
    }
    problems.raise_if_any()
    return cleaned


def validate_new_user(data: object) -> tuple[str, str, Role]:
    """Return (e-mail lower-cased, name, role) of a new user, or raise INVALID_INPUT."""
    mapping = as_mapping(data, UserInput)
    problems = _Problems()
    _refuse_unknown(mapping, ("email", "name", "role"), problems)
    email = _clean_text("email", mapping.get("email"), problems, required=True)
    if email is not None and EMAIL_PATTERN.fullmatch(email) is None:
        problems.add("email", "must be an e-mail address")
    name = _clean_text("name", mapping.get("name"), problems, required=True)
    role = parse_role(mapping.get("role"), problems)
    problems.raise_if_any()
    if email is None or name is None or role is None:  # pragma: no cover  # problems raised
        raise errors.invalid_input(problems.fields)
    return email.lower(), name, role


def parse_role(value: object, problems: _Problems | None = None) -> Role | None:
    """Return the Role named by ``value`` (a Role or its name), recording a problem if none."""
    if isinstance(value, Role):
        return value
    if isinstance(value, str) and value.upper() in Role.__members__:
        return Role[value.upper()]
    reason = "is required" if value is None else "must be one of " + ", ".join(Role)
    if problems is None:
        raise errors.invalid_field("role", reason)
    problems.add("role", reason)
    return None


# No store keeps a version past a signed 64-bit integer: a larger one can never be current.
MAX_VERSION = 2**63 - 1


def check_version(value: object, field: str = "expected_version") -> int:
    """Return ``value`` as a version number (1 to MAX_VERSION), or raise INVALID_INPUT."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
        raise errors.invalid_field(field, f"must be an integer from 1 to {MAX_VERSION}")
    return value


def plausible_id(value: object) -> str | None:
    """Return ``value`` if it can be an id at all (short text, no control characters), else None.

    Anything else cannot name a stored row, so callers answer "not found" without a query.
    """
    if (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_LENGTH
        and text_problem("id", value, required=True) is None
    ):
        return value
    return None


def _refuse_unknown(
    mapping: Mapping[Any, Any], known: tuple[str, ...], problems: _Problems
) -> None:
    for key in mapping:
        if key not in known:
            problems.add(key, "is not a known field")


def _field_name(field: object) -> str:
    """Return a field name safe to echo back (short, printable)."""
    cleaned = "".join(c if c.isprintable() else "?" for c in errors.shown(field, 60))
    return cleaned or "?"
