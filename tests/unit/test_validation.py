"""Validation of incoming mappings: every rule, and every bad field named in one error."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given

from leadcore import ErrorCode, LeadCoreError, LeadInput, Role, UserInput
from leadcore.domain.leads import EDITABLE_FIELDS
from leadcore.domain.validation import (
    MAX_LENGTHS,
    check_version,
    is_valid_cin,
    normalize_cin,
    parse_role,
    plausible_id,
    validate_lead_changes,
    validate_new_lead,
    validate_new_user,
)
from tests import strategies

CIN = "U72900KA2015PTC012345"
HUNDRED_KB = 100_000


def valid_lead(**extra: object) -> dict[str, object]:
    """Return valid input for a new lead, with ``extra`` fields added or replaced."""
    data: dict[str, object] = {"company_name": "Acme Tools Pvt Ltd", "cin": CIN}
    data.update(extra)
    return data


def refusal(call: Callable[[], object]) -> LeadCoreError:
    """Return the INVALID_INPUT error ``call`` raises."""
    with pytest.raises(LeadCoreError) as caught:
        call()
    assert caught.value.code is ErrorCode.INVALID_INPUT
    return caught.value


def bad_fields(call: Callable[[], object]) -> set[str]:
    """Return the names of the fields INVALID_INPUT reports for ``call``."""
    return set(refusal(call).context["fields"])


# --- CIN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [CIN, CIN.lower(), f"  {CIN}  ", f" {CIN.lower()}", "u72900Ka2015pTc012345"],
)
def test_a_cin_is_stripped_and_upper_cased(spelling: str) -> None:
    """Any case and surrounding spaces normalise to the canonical CIN."""
    assert validate_new_lead(valid_lead(cin=spelling))["cin"] == CIN


@given(strategies.cins_with_a_spelling)
def test_every_spelling_of_a_valid_cin_normalises_to_it(pair: tuple[str, str]) -> None:
    """A generated CIN in mixed case with spaces around comes back canonical."""
    cin, spelling = pair
    assert validate_new_lead(valid_lead(cin=spelling))["cin"] == cin


@given(strategies.cins)
def test_every_cin_of_the_right_shape_is_valid(cin: str) -> None:
    """[LU] + 5 digits + 2 letters + 4 digits + 3 letters + 6 digits passes."""
    assert is_valid_cin(cin)
    assert normalize_cin(cin) == cin


@pytest.mark.parametrize(
    "cin",
    [
        "X72900KA2015PTC012345",  # first letter neither L nor U
        "U7290KA2015PTC012345",  # four digits instead of five
        "U72900K12015PTC012345",  # a digit where the state code goes
        "U72900KA201PTC0123456",  # three-digit year
        "U72900KA2015PT1012345",  # a digit in the company type
        "U72900KA2015PTC01234",  # 20 characters
        "U72900KA2015PTC0123456",  # 22 characters
        "U72900 KA2015PTC012345",  # a space inside
        "U72900KA2015PTC-12345",  # punctuation
        "U\u096d\u0968\u096f\u0966\u0966KA2015PTC012345",  # Devanagari digits: not CIN digits
        "U72900\uff2b\uff212015PTC012345",  # full-width K and A
        "",
        "   ",
    ],
)
def test_a_cin_of_the_wrong_shape_is_refused(cin: str) -> None:
    """Anything but the 21-character shape is INVALID_INPUT naming cin."""
    assert bad_fields(lambda: validate_new_lead(valid_lead(cin=cin))) == {"cin"}


# --- e-mail and phone ----------------------------------------------------------------------


@given(strategies.emails)
def test_a_well_formed_email_is_accepted(email: str) -> None:
    """local@domain.tld passes as contact_email."""
    assert validate_new_lead(valid_lead(contact_email=email))["contact_email"] == email


@pytest.mark.parametrize(
    "email",
    ["ops", "ops@", "@acme.in", "ops@acme", "ops@@acme.in", "o ps@acme.in", "ops@acme.", "a@.in"],
)
def test_a_malformed_email_is_refused(email: str) -> None:
    """Without one @ and a dotted domain, contact_email is INVALID_INPUT."""
    assert bad_fields(lambda: validate_new_lead(valid_lead(contact_email=email))) == {
        "contact_email"
    }


@pytest.mark.parametrize(
    "phone",
    [
        "1234567",
        "+91 98450 12345",
        "080 2345-6789",
        "(080) 2345-6789",
        "+(91) 80 2345 6789",
        "123456789012345",
        "+1-800-555-0199",
    ],
)
def test_a_phone_of_7_to_15_digits_is_accepted(phone: str) -> None:
    """Digits with an optional leading +, spaces, dashes and brackets pass."""
    assert validate_new_lead(valid_lead(contact_phone=phone))["contact_phone"] == phone


@given(strategies.phones)
def test_every_generated_phone_is_accepted(phone: str) -> None:
    """7 to 15 digits, with or without a leading +, pass."""
    assert validate_new_lead(valid_lead(contact_phone=phone))["contact_phone"] == phone


@pytest.mark.parametrize(
    "phone",
    [
        "123456",  # six digits
        "1234567890123456",  # sixteen digits
        "98450x12345",  # a letter
        "++919845012345",  # two plus signs
        "9845012345+",  # a plus at the end
        "٩٨٤٥٠١٢٣٤٥",  # Arabic-Indic digits
        "- - - - - - -",  # no digits at all
    ],
)
def test_a_phone_of_the_wrong_shape_is_refused(phone: str) -> None:
    """Fewer than 7 or more than 15 digits, or other characters, is INVALID_INPUT."""
    assert bad_fields(lambda: validate_new_lead(valid_lead(contact_phone=phone))) == {
        "contact_phone"
    }


# --- lengths -------------------------------------------------------------------------------


def value_of_length(field: str, length: int) -> str:
    """Return a value for ``field`` that is valid in every way but, perhaps, its length."""
    if field == "cin":
        return (CIN + "0" * length)[:length]
    if field in {"contact_email", "email"}:
        return "a" * (length - len("@acme.in")) + "@acme.in"
    if field == "contact_phone":
        return "1234" + " " * (length - 7) + "567"
    return "x" * length


LEAD_TEXT_FIELDS = [
    "cin",
    "company_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "city",
    "state",
    "notes",
]


def test_every_lead_text_field_has_a_length_limit() -> None:
    """Each editable lead field and each user text field has a limit; company_name's is 200."""
    assert tuple(LEAD_TEXT_FIELDS) == EDITABLE_FIELDS  # a field added to leads must be added above
    assert set(LEAD_TEXT_FIELDS) | {"email", "name"} <= set(MAX_LENGTHS)
    assert MAX_LENGTHS["company_name"] == 200


@pytest.mark.parametrize(
    "field", [f for f in LEAD_TEXT_FIELDS if f not in {"cin", "contact_phone"}]
)
def test_a_lead_field_exactly_at_its_limit_is_accepted(field: str) -> None:
    """A value of exactly MAX_LENGTHS[field] characters passes."""
    value = value_of_length(field, MAX_LENGTHS[field])
    assert validate_new_lead(valid_lead(**{field: value}))[field] == value


def test_a_cin_is_exactly_at_its_limit() -> None:
    """A CIN is 21 characters, exactly its limit."""
    assert MAX_LENGTHS["cin"] == len(CIN) == 21


def test_a_phone_at_its_length_limit_is_accepted() -> None:
    """A 20-character phone passes."""
    phone = "+91 (80) 2345-678901"
    assert len(phone) == MAX_LENGTHS["contact_phone"]
    assert validate_new_lead(valid_lead(contact_phone=phone))["contact_phone"] == phone


@pytest.mark.parametrize("field", LEAD_TEXT_FIELDS)
def test_a_lead_field_one_over_its_limit_is_refused(field: str) -> None:
    """A value of MAX_LENGTHS[field] + 1 characters is INVALID_INPUT naming the field."""
    value = value_of_length(field, MAX_LENGTHS[field] + 1)
    assert bad_fields(lambda: validate_new_lead(valid_lead(**{field: value}))) == {field}


@pytest.mark.parametrize("field", ["email", "name"])
def test_a_user_field_at_its_limit_passes_and_one_over_fails(field: str) -> None:
    """e-mail and name are accepted at their limit and refused one character over."""
    data = {"email": "r@acme.in", "name": "Ravi", "role": "REVIEWER"}
    at_limit = value_of_length(field, MAX_LENGTHS[field])
    validate_new_user({**data, field: at_limit})
    over = value_of_length(field, MAX_LENGTHS[field] + 1)
    assert bad_fields(lambda: validate_new_user({**data, field: over})) == {field}


@pytest.mark.parametrize("field", LEAD_TEXT_FIELDS)
def test_a_100_kb_string_is_refused_cleanly(field: str) -> None:
    """100 KB in any field is INVALID_INPUT, and the error does not echo the value."""
    error = refusal(lambda: validate_new_lead(valid_lead(**{field: "9" * HUNDRED_KB})))
    assert set(error.context["fields"]) == {field}
    assert len(json.dumps(error.to_dict())) < 1_000


def test_a_100_kb_unknown_field_name_is_shortened_in_the_error() -> None:
    """An unknown key of 100 KB is reported by a short prefix of its name."""
    error = refusal(lambda: validate_new_lead(valid_lead(**{"k" * HUNDRED_KB: "v"})))
    assert error.context["fields"] == {"k" * 60: "is not a known field"}


# --- control characters and surrogates -----------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\n", "\t", "\r"])
@pytest.mark.parametrize("field", ["company_name", "contact_name", "city", "state"])
def test_control_characters_are_refused_in_single_line_fields(char: str, field: str) -> None:
    """NUL, other C0/C1 controls, DEL, and line breaks or tabs are refused in one-line text."""
    value = f"Acme{char}Tools"
    assert bad_fields(lambda: validate_new_lead(valid_lead(**{field: value}))) == {field}


@given(strategies.single_line_controls)
def test_no_control_character_is_accepted_in_notes_but_line_breaks_and_tabs(char: str) -> None:
    """Notes refuse every control character except newline, carriage return and tab."""
    assert bad_fields(lambda: validate_new_lead(valid_lead(notes=f"call{char}back"))) == {"notes"}


@given(strategies.line_breaks_and_tabs)
def test_notes_may_hold_line_breaks_and_tabs(char: str) -> None:
    """A newline, carriage return or tab inside notes is kept."""
    value = f"call back{char}after Diwali"
    assert validate_new_lead(valid_lead(notes=value))["notes"] == value


@given(strategies.lone_surrogates)
def test_a_lone_surrogate_is_refused(char: str) -> None:
    """Text holding an unpaired surrogate cannot be stored as UTF-8 and is INVALID_INPUT."""
    assert bad_fields(lambda: validate_new_lead(valid_lead(company_name=f"Acme{char}"))) == {
        "company_name"
    }


def test_a_nul_byte_in_a_cin_is_refused() -> None:
    """A NUL inside a CIN is INVALID_INPUT naming cin."""
    assert bad_fields(lambda: validate_new_lead(valid_lead(cin=CIN[:10] + "\x00" + CIN[11:]))) == {
        "cin"
    }


# --- unicode -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", strategies.UNICODE_COMPANY_NAMES)
def test_unicode_company_names_are_accepted_unchanged(name: str) -> None:
    """Devanagari, Tamil, emoji and right-to-left marks come back exactly as given."""
    assert validate_new_lead(valid_lead(company_name=name))["company_name"] == name


@given(strategies.company_names)
def test_any_printable_company_name_round_trips(name: str) -> None:
    """A stripped, non-blank name of printable characters is accepted and not altered."""
    assert validate_new_lead(valid_lead(company_name=name))["company_name"] == name


@given(strategies.lead_inputs)
def test_valid_input_is_accepted_field_by_field(data: dict[str, str]) -> None:
    """Every generated valid lead passes; each given field comes back unchanged."""
    cleaned = validate_new_lead(data)
    assert {k: v for k, v in cleaned.items() if k in data} == data


# --- required, unknown, several --------------------------------------------------------


def test_text_is_stripped() -> None:
    """Surrounding spaces are dropped from every text field."""
    cleaned = validate_new_lead(valid_lead(company_name="  Acme  ", city=" Pune "))
    assert (cleaned["company_name"], cleaned["city"]) == ("Acme", "Pune")


def test_blank_optional_fields_become_none() -> None:
    """An optional field given as spaces is stored as not set."""
    assert validate_new_lead(valid_lead(city="   "))["city"] is None


def test_missing_required_fields_are_each_named() -> None:
    """An empty mapping names both company_name and cin as required."""
    error = refusal(lambda: validate_new_lead({}))
    assert error.context["fields"] == {"company_name": "is required", "cin": "is required"}


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_required_field_is_missing(blank: str) -> None:
    """company_name of only spaces is refused as required."""
    error = refusal(lambda: validate_new_lead(valid_lead(company_name=blank)))
    assert error.context["fields"] == {"company_name": "is required"}


@pytest.mark.parametrize("value", [42, 4.2, True, ["Acme"], {"name": "Acme"}, b"Acme"])
def test_a_field_that_is_not_text_is_refused(value: object) -> None:
    """Numbers, lists, mappings and bytes are INVALID_INPUT "must be text"."""
    error = refusal(lambda: validate_new_lead(valid_lead(company_name=value)))
    assert error.context["fields"] == {"company_name": "must be text"}


@pytest.mark.parametrize("key", ["id", "status", "version", "assessor_id", "created_by", 7])
def test_unknown_fields_are_refused(key: object) -> None:
    """Keys other than the editable fields (even the lead's own attributes) are refused."""
    data: dict[object, object] = {"company_name": "Acme", "cin": CIN, key: "x"}
    assert bad_fields(lambda: validate_new_lead(data)) == {str(key)}


def test_several_bad_fields_are_reported_together() -> None:
    """One error names every bad field: shape, length, control character, unknown, missing."""
    error = refusal(
        lambda: validate_new_lead(
            {
                "cin": "nope",
                "contact_email": "ops",
                "contact_phone": "12",
                "city": "x" * 101,
                "notes": "a\x00b",
                "colour": "red",
            }
        )
    )
    assert set(error.context["fields"]) == {
        "cin",
        "company_name",
        "contact_email",
        "contact_phone",
        "city",
        "notes",
        "colour",
    }


def test_a_lead_input_object_is_accepted_like_a_mapping() -> None:
    """LeadInput with the same values validates to the same fields as the mapping."""
    typed = LeadInput(company_name="Acme", cin=CIN.lower(), city="Pune")
    assert validate_new_lead(typed) == validate_new_lead(
        {"company_name": "Acme", "cin": CIN, "city": "Pune"}
    )


@pytest.mark.parametrize("data", [None, "company_name=Acme", [("cin", CIN)], 42])
def test_input_that_is_not_a_mapping_is_refused(data: object) -> None:
    """Anything but a mapping or LeadInput is INVALID_INPUT naming input."""
    assert bad_fields(lambda: validate_new_lead(data)) == {"input"}


# --- partial updates -------------------------------------------------------------------


def test_a_change_set_holds_only_the_given_fields() -> None:
    """validate_lead_changes returns just the keys that were sent, cleaned."""
    assert validate_lead_changes({"city": " Pune ", "cin": CIN.lower()}) == {
        "city": "Pune",
        "cin": CIN,
    }


def test_a_change_to_none_clears_an_optional_field() -> None:
    """None for an optional field means "clear it"."""
    assert validate_lead_changes({"notes": None}) == {"notes": None}


@pytest.mark.parametrize("field", ["company_name", "cin"])
def test_a_change_may_not_clear_a_required_field(field: str) -> None:
    """None or blank for company_name or cin is INVALID_INPUT "is required"."""
    assert bad_fields(lambda: validate_lead_changes({field: None})) == {field}
    assert bad_fields(lambda: validate_lead_changes({field: "  "})) == {field}


def test_a_change_set_refuses_unknown_fields() -> None:
    """version and status cannot be changed through an update."""
    assert bad_fields(lambda: validate_lead_changes({"version": 9, "status": "NEW"})) == {
        "version",
        "status",
    }


# --- users -----------------------------------------------------------------------------


def test_a_new_user_has_a_lower_cased_email_and_a_role() -> None:
    """validate_new_user lower-cases the e-mail, strips the name and parses the role."""
    assert validate_new_user({"email": " Ravi@Acme.IN ", "name": " Ravi ", "role": "reviewer"}) == (
        "ravi@acme.in",
        "Ravi",
        Role.REVIEWER,
    )


def test_a_user_input_object_is_accepted() -> None:
    """UserInput validates like the mapping it stands for."""
    assert validate_new_user(UserInput(email="s@acme.in", name="Sita", role=Role.ASSESSOR)) == (
        "s@acme.in",
        "Sita",
        Role.ASSESSOR,
    )


def test_a_new_user_names_every_bad_field() -> None:
    """Bad e-mail, blank name, unknown role and an extra key are reported together."""
    error = refusal(
        lambda: validate_new_user({"email": "nope", "name": " ", "role": "KING", "age": 3})
    )
    assert set(error.context["fields"]) == {"email", "name", "role", "age"}


def test_a_new_user_without_fields_names_each_one() -> None:
    """An empty mapping is missing email, name and role."""
    error = refusal(lambda: validate_new_user({}))
    assert error.context["fields"] == {
        "email": "is required",
        "name": "is required",
        "role": "is required",
    }


@pytest.mark.parametrize("value", [Role.ADMIN, "ADMIN", "admin", "Admin"])
def test_a_role_is_named_in_any_case(value: object) -> None:
    """parse_role takes a Role or its name in any case."""
    assert parse_role(value) is Role.ADMIN


@pytest.mark.parametrize("value", [None, "KING", 3, ""])
def test_an_unknown_role_is_invalid_input(value: object) -> None:
    """parse_role without a problem list raises INVALID_INPUT naming role."""
    assert bad_fields(lambda: parse_role(value)) == {"role"}


# --- versions and ids ------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 10**9])
def test_a_positive_integer_is_a_version(value: int) -> None:
    """check_version returns integers of at least 1 unchanged."""
    assert check_version(value) == value


@pytest.mark.parametrize("value", [0, -1, True, False, 1.0, "1", None])
def test_anything_else_is_not_a_version(value: object) -> None:
    """Zero, negatives, booleans, floats, text and None are INVALID_INPUT expected_version."""
    assert bad_fields(lambda: check_version(value)) == {"expected_version"}


@pytest.mark.parametrize("value", ["LEAD-2026-0001", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "x"])
def test_short_printable_text_is_a_plausible_id(value: str) -> None:
    """plausible_id returns ids that could name a row."""
    assert plausible_id(value) == value


@pytest.mark.parametrize("value", ["", " ", "a\x00b", "x" * 65, "x" * HUNDRED_KB, None, 7, b"id"])
def test_other_values_are_not_plausible_ids(value: object) -> None:
    """Empty, blank, control characters, over 64 characters and non-text are no id."""
    assert plausible_id(value) is None
