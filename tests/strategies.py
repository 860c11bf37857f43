"""Hypothesis strategies for leadcore's tests: every one of them lives in this module."""

from __future__ import annotations

import base64
import json
import string
from datetime import datetime, timedelta, timezone

import attrs
from hypothesis import strategies as st

from leadcore import AuditAction, LeadInput, LeadStatus, Role, UserInput

ASCII_UPPER = string.ascii_uppercase
DIGITS = string.digits

# Company names the contract promises to accept and give back unchanged.
UNICODE_COMPANY_NAMES: tuple[str, ...] = (
    "टाटा कंसल्टेंसी सर्विसेज लिमिटेड",  # Devanagari, with combining vowel signs
    "தமிழ்நாடு மின் உற்பத்தி நிறுவனம்",  # Tamil
    "Rocket 🚀 Labs Pvt Ltd",  # an emoji outside the basic plane
    "👩🏽\u200d💻 Coders & Co",  # skin tone modifier and zero-width joiner
    "\u200fشركة الهند للتجارة\u200f",  # right-to-left marks around Arabic
    "\u202bמסחר הודו בע״מ\u202c",  # noqa: RUF001  # Hebrew letters on purpose, in an RTL embedding
    "Zoë & Søren Exports",  # precomposed accents
    "Cafe\u0301 Noir Ltd",  # a combining accent that must not be normalised away
)


def _fixed(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size)


# A valid, normalised CIN: [LU] + 5 digits + 2 letters + 4 digits + 3 letters + 6 digits.
cins: st.SearchStrategy[str] = st.builds(
    "".join,
    st.tuples(
        st.sampled_from("LU"),
        _fixed(DIGITS, 5),
        _fixed(ASCII_UPPER, 2),
        _fixed(DIGITS, 4),
        _fixed(ASCII_UPPER, 3),
        _fixed(DIGITS, 6),
    ),
)


def pool_cin(n: int) -> str:
    """Return the ``n``-th CIN of a small pool, so that generated leads collide on purpose."""
    return f"U72900KA2015PTC{n:06d}"


def spellings(cin: str) -> st.SearchStrategy[str]:
    """Return other spellings of ``cin`` that normalise to it: mixed case, spaces around."""
    return st.builds(
        lambda lowered, left, right: (
            left
            + "".join(c.lower() if low else c for c, low in zip(cin, lowered, strict=True))
            + right
        ),
        st.lists(st.booleans(), min_size=len(cin), max_size=len(cin)),
        st.sampled_from(["", " ", "   "]),
        st.sampled_from(["", " ", "  "]),
    )


# A valid CIN and another spelling of it: (canonical, spelling).
cins_with_a_spelling: st.SearchStrategy[tuple[str, str]] = cins.flatmap(
    lambda cin: spellings(cin).map(lambda spelling: (cin, spelling))
)

# Any printable text: no control characters (Cc) and no lone surrogates (Cs).
_printable = st.characters(exclude_categories=("Cc", "Cs"))


def clean_text(max_size: int, *, min_size: int = 1) -> st.SearchStrategy[str]:
    """Return text a single-line field accepts, already stripped, non-blank."""
    return st.text(_printable, min_size=min_size, max_size=max_size).map(str.strip).filter(bool)


company_names: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(UNICODE_COMPANY_NAMES), clean_text(200)
)

notes: st.SearchStrategy[str] = (
    st.text(st.one_of(_printable, st.sampled_from("\n\t\r")), min_size=1, max_size=300)
    .map(str.strip)
    .filter(bool)
)

emails: st.SearchStrategy[str] = st.builds(
    "{}@{}.{}".format,
    st.text(string.ascii_letters + DIGITS + "._+-", min_size=1, max_size=30),
    st.text(string.ascii_lowercase + DIGITS + "-", min_size=1, max_size=30),
    st.sampled_from(["in", "com", "co.in", "org"]),
)

phones: st.SearchStrategy[str] = st.builds(
    lambda plus, digits: ("+" if plus else "") + digits,
    st.booleans(),
    st.integers(min_value=7, max_value=15).flatmap(lambda n: _fixed(DIGITS, n)),
)

# Valid input for a new lead: the two required fields and any of the optional ones.
lead_inputs: st.SearchStrategy[dict[str, str]] = st.fixed_dictionaries(
    {"company_name": company_names, "cin": cins},
    optional={
        "contact_name": clean_text(100),
        "contact_email": emails,
        "contact_phone": phones,
        "city": clean_text(100),
        "state": clean_text(100),
        "notes": notes,
    },
)

control_characters: st.SearchStrategy[str] = st.characters(categories=["Cc"])
line_breaks_and_tabs: st.SearchStrategy[str] = st.sampled_from("\n\r\t")
single_line_controls: st.SearchStrategy[str] = control_characters.filter(
    lambda c: c not in "\n\r\t"
)
lone_surrogates: st.SearchStrategy[str] = st.characters(categories=["Cs"])

statuses: st.SearchStrategy[LeadStatus] = st.sampled_from(LeadStatus)

# Keyset positions as lists hand them out: short texts and integers, one to three of them.
cursor_keys: st.SearchStrategy[list[str | int]] = st.lists(
    st.one_of(st.text(string.ascii_letters + DIGITS + "-:.+", max_size=64), st.integers()),
    min_size=1,
    max_size=3,
)
years: st.SearchStrategy[int] = st.integers(min_value=1970, max_value=9999)
lead_numbers: st.SearchStrategy[int] = st.integers(min_value=1, max_value=10**12)

# --- the simulated users of the stateful test -------------------------------------------

# Names of the cast; "ghost" is an id no user has.
SIM_USERS: tuple[str, ...] = ("admin", "reviewer1", "reviewer2", "assessor1", "assessor2")
SIM_ACTORS: tuple[str, ...] = (*SIM_USERS, "ghost")
CIN_POOL_SIZE = 12

sim_actors: st.SearchStrategy[str] = st.sampled_from(SIM_ACTORS)
sim_targets: st.SearchStrategy[str] = st.sampled_from(SIM_ACTORS)
# Whom to assign: mostly the assessors, sometimes anyone (who is then refused).
sim_assignees: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(("assessor1", "assessor2")), sim_targets
)
pool_numbers: st.SearchStrategy[int] = st.integers(min_value=1, max_value=CIN_POOL_SIZE)
pool_cin_spellings: st.SearchStrategy[str] = pool_numbers.map(pool_cin).flatmap(spellings)
# 0 writes with the version just read; anything else is a stale (or future) copy.
version_offsets: st.SearchStrategy[int] = st.one_of(
    st.just(0), st.integers(min_value=-3, max_value=1)
)
# A partial update; small pools of values so that no-op updates and duplicates happen.
lead_changes: st.SearchStrategy[dict[str, str | None]] = st.fixed_dictionaries(
    {},
    optional={
        "company_name": st.sampled_from(["Acme Tools", "Bharat Works", "  Acme Tools  "]),
        "city": st.sampled_from([None, "", "Pune", "Chennai"]),
        "notes": st.sampled_from([None, "call back\nafter Diwali", "ok"]),
        "cin": pool_cin_spellings,
    },
)
activity: st.SearchStrategy[bool] = st.booleans()
page_sizes: st.SearchStrategy[int] = st.integers(min_value=1, max_value=5)

# --- hostile input: the fuzz of every public command -------------------------------------

# Strings that break a query built by pasting text into SQL (or into a format string).
INJECTION_STRINGS: tuple[str, ...] = (
    "'; DROP TABLE leads; --",
    '" OR 1=1 --',
    "' OR ''='",
    "\\x27",
    "\\'; SELECT pg_sleep(5); --",
    "%s",
    "%(name)s",
    "{0}",
    "{company_name!r}",
    "$1",
    "$$ x $$",
    "\\\\",
    "back\\slash \\n not a line break",
    "'\"`",
    "100% _match_ [a-z]*",
    "Robert'); DELETE FROM audit_log WHERE ('1'='1",
)
# Characters that hide, reorder or end text: right-to-left marks and overrides, a byte
# order mark, zero-width ones, NUL, line and paragraph separators.
TRICKY_CHARACTERS: tuple[str, ...] = (
    "\u200f",
    "\u200e",
    "\u202e",
    "\u202b",
    "\u2066",
    "\ufeff",
    "\u200b",
    "\x00",
    "\u2028",
    "\u2029",
    "\ufffd",
    "\U0010ffff",
)
# Integers that overflow a 64-bit column, or have more digits than str() will print (drawn
# by exponent: Hypothesis cannot print such a number, but it can print how it was made).
huge_ints: st.SearchStrategy[int] = st.one_of(
    st.sampled_from([63, 64, 5000]).map(lambda n: 2**n),
    st.sampled_from([63, 64, 5000]).map(lambda n: -(2**n) - 1),
    st.sampled_from([19, 30, 4300, 5000]).map(lambda n: 10**n),
)

_any_character: st.SearchStrategy[str] = st.one_of(
    st.characters(),
    control_characters,
    lone_surrogates,
    st.sampled_from(TRICKY_CHARACTERS),
)
_short_hostile_text: st.SearchStrategy[str] = st.text(_any_character, max_size=40)

# Text nobody should be able to break leadcore with: any code point including NUL and
# lone surrogates, injection strings, normal text with one bad character inside, and
# strings of up to 1 MB (built by repetition, so generating them costs nothing).
hostile_strings: st.SearchStrategy[str] = st.one_of(
    _short_hostile_text,
    st.sampled_from(INJECTION_STRINGS),
    st.builds(
        lambda left, bad, right: left + bad + right,
        clean_text(30),
        st.sampled_from(TRICKY_CHARACTERS),
        clean_text(30),
    ),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["x", "\x00", "é", "\ud800", "\u202e", "' OR 1=1 --", " "]),
        st.sampled_from([65, 101, 201, 2001, 10**6]),
    ),
)

hostile_numbers: st.SearchStrategy[int | float] = st.one_of(
    st.integers(),
    huge_ints,
    st.floats(),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e308]),
)


class Opaque:
    """An object of a type leadcore has never heard of."""

    def __repr__(self) -> str:
        return "Opaque()"


_hostile_scalars: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    hostile_numbers,
    hostile_strings,
    st.binary(max_size=20),
    st.builds(bytearray, st.binary(max_size=8)),
    st.builds(Opaque),
    st.sampled_from([*LeadStatus, *Role, *AuditAction]),
)
# Anything hashable, for the keys of hostile mappings.
hostile_keys: st.SearchStrategy[object] = st.one_of(
    _short_hostile_text,
    st.sampled_from(INJECTION_STRINGS),
    st.integers(),
    huge_ints,
    st.floats(),
    st.none(),
    st.booleans(),
    st.binary(max_size=8),
    st.tuples(st.integers(), st.text(max_size=3)),
)
# Any value at all: scalars of every type, and lists, tuples, sets and mappings of them.
hostile_values: st.SearchStrategy[object] = st.recursive(
    _hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.integers(), max_size=3),
        st.dictionaries(hostile_keys, inner, max_size=3),
    ),
    max_leaves=6,
)


def with_extra_keys(
    base: st.SearchStrategy[dict[str, object]],
) -> st.SearchStrategy[dict[object, object]]:
    """Return the mappings of ``base``, sometimes with unknown (even non-text) keys added."""
    return st.builds(
        lambda given, extra: {**given, **extra},
        base,
        st.one_of(st.just({}), st.dictionaries(hostile_keys, hostile_values, max_size=2)),
    )


def mostly(valid: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Return ``valid`` values or hostile ones, so that calls get past the first check."""
    return st.one_of(valid, hostile_values)


@attrs.frozen
class Ref:
    """Stands for a value of the fuzz's world (a real id, a current version, a cursor).

    Strategies cannot know the ids a store hands out; the fuzz resolves each Ref when it
    makes the call.
    """

    name: str


def refs(*names: str) -> st.SearchStrategy[object]:
    """Return Refs to the named values of the fuzz's world."""
    return st.sampled_from([Ref(name) for name in names])


def slot(*names: str) -> st.SearchStrategy[object]:
    """Return an argument that is a value of the world or anything at all."""
    return st.one_of(refs(*names), hostile_values)


FUZZ_ACTORS: tuple[str, ...] = ("admin", "reviewer", "assessor", "inactive", "ghost")
# Mostly an active user, so that most calls get past the actor check to the input.
actor_slots: st.SearchStrategy[object] = st.one_of(
    refs("admin", "reviewer", "assessor"), slot(*FUZZ_ACTORS)
)
user_slots: st.SearchStrategy[object] = slot(*FUZZ_ACTORS)
lead_slots: st.SearchStrategy[object] = slot("lead", "other_lead", "no_such_lead")
version_slots: st.SearchStrategy[object] = st.one_of(
    refs("lead_version"), st.integers(min_value=-2, max_value=6), hostile_values
)
assessment_slots: st.SearchStrategy[object] = slot("draft", "submitted")
assessment_version_slots: st.SearchStrategy[object] = st.one_of(
    refs("draft_version", "submitted_version"),
    st.integers(min_value=-2, max_value=6),
    hostile_values,
)
document_slots: st.SearchStrategy[object] = slot("document")
cursor_slots: st.SearchStrategy[object] = st.one_of(
    st.none(),
    refs("leads_cursor", "users_cursor", "audit_cursor"),
    # Forged cursors: well-formed base64 of JSON that leadcore never gave out.
    st.builds(
        lambda key: base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("="),
        st.lists(st.one_of(_short_hostile_text, st.integers(), st.floats()), max_size=3),
    ),
    hostile_values,
)
limit_slots: st.SearchStrategy[object] = st.one_of(
    st.none(), st.integers(min_value=-2, max_value=2000), hostile_values
)
status_slots: st.SearchStrategy[object] = mostly(
    st.one_of(st.sampled_from(LeadStatus), st.sampled_from([s.lower() for s in LeadStatus]))
)
role_slots: st.SearchStrategy[object] = mostly(
    st.one_of(st.sampled_from(Role), st.sampled_from(["admin", "Reviewer", "ASSESSOR"]))
)
audit_action_slots: st.SearchStrategy[object] = mostly(
    st.one_of(st.sampled_from(AuditAction), st.sampled_from([a.lower() for a in AuditAction]))
)
flag_slots: st.SearchStrategy[object] = mostly(st.booleans())

# The value of one lead field: valid for it, or anything at all.
_lead_field_values: dict[str, st.SearchStrategy[object]] = {
    "company_name": mostly(company_names),
    "cin": mostly(st.one_of(cins, pool_numbers.map(pool_cin).flatmap(spellings))),
    "contact_name": mostly(clean_text(100)),
    "contact_email": mostly(emails),
    "contact_phone": mostly(phones),
    "city": mostly(clean_text(100)),
    "state": mostly(clean_text(100)),
    "notes": mostly(notes),
}
# What a web form might post for a lead: the fields (each valid or hostile) and extras.
hostile_lead_mappings: st.SearchStrategy[dict[object, object]] = with_extra_keys(
    st.fixed_dictionaries(
        {"company_name": _lead_field_values["company_name"], "cin": _lead_field_values["cin"]},
        optional={k: v for k, v in _lead_field_values.items() if k not in {"company_name", "cin"}},
    )
)
hostile_lead_changes: st.SearchStrategy[dict[object, object]] = with_extra_keys(
    st.fixed_dictionaries({}, optional=_lead_field_values)
)
lead_input_slots: st.SearchStrategy[object] = st.one_of(
    hostile_lead_mappings,
    st.builds(
        LeadInput,
        company_name=_lead_field_values["company_name"],
        cin=_lead_field_values["cin"],
        notes=_lead_field_values["notes"],
    ),
    hostile_values,
)
lead_change_slots: st.SearchStrategy[object] = st.one_of(
    hostile_lead_changes,
    st.builds(LeadInput, city=_lead_field_values["city"]),
    hostile_values,
)
user_input_slots: st.SearchStrategy[object] = st.one_of(
    with_extra_keys(
        st.fixed_dictionaries(
            {"email": mostly(emails), "name": mostly(clean_text(100)), "role": role_slots}
        )
    ),
    st.builds(UserInput, email=mostly(emails), name=hostile_strings, role=role_slots),
    hostile_values,
)
text_slots: st.SearchStrategy[object] = mostly(clean_text(100))
optional_text_slots: st.SearchStrategy[object] = st.one_of(st.none(), text_slots)

# Import rows: lead mappings that may carry a legacy id and creation time.
legacy_ids: st.SearchStrategy[object] = st.one_of(
    st.builds("LEAD-2026-{:04d}".format, st.integers(min_value=1, max_value=10**6)),
    mostly(
        st.one_of(
            st.builds("LEAD-{}-{:04d}".format, st.sampled_from([1999, 2026, 9999]), lead_numbers),
            st.just("LEAD-2026-00001"),
            st.just("LEAD-२०२६-0001"),  # Devanagari digits in the year
        )
    ),
)
# Creation times of legacy rows, the edges of the calendar included: these two are valid
# ISO 8601 with a zone, yet outside what a datetime in UTC can hold.
created_ats: st.SearchStrategy[object] = mostly(
    st.one_of(
        st.sampled_from(
            [
                "2020-01-01T00:00:00+00:00",
                "0001-01-01T00:00+14:00",
                "9999-12-31T23:59:59-14:00",
                "2020-01-01T00:00:00",
                "yesterday",
            ]
        ),
        st.sampled_from([(1, 1, 1, 14), (9999, 12, 31, -14)]).map(
            lambda d: datetime(d[0], d[1], d[2], tzinfo=timezone(timedelta(hours=d[3])))
        ),
        st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    )
)
import_row_slots: st.SearchStrategy[object] = st.one_of(
    st.builds(
        lambda row, extra: {**row, **extra},
        hostile_lead_mappings,
        st.fixed_dictionaries({}, optional={"id": legacy_ids, "created_at": created_ats}),
    ),
    hostile_values,
)
import_rows_slots: st.SearchStrategy[object] = st.one_of(
    st.lists(import_row_slots, max_size=4), hostile_values
)
batch_size_slots: st.SearchStrategy[object] = st.one_of(
    st.none(), st.integers(min_value=-1, max_value=3), hostile_values
)

# Questionnaires and answers (the fuzz's world publishes tests.assessments.helpers.QUESTIONS).
FUZZ_QUESTION_IDS: tuple[str, ...] = ("employees", "sector", "exporter", "remarks")
question_id_slots: st.SearchStrategy[object] = mostly(st.sampled_from(FUZZ_QUESTION_IDS))
_question_mappings: st.SearchStrategy[dict[object, object]] = with_extra_keys(
    st.fixed_dictionaries(
        {
            "id": mostly(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)),
            "text": mostly(clean_text(50)),
            "type": mostly(st.sampled_from(["text", "number", "boolean", "choice", "CHOICE"])),
        },
        optional={
            "required": mostly(st.booleans()),
            "choices": mostly(st.lists(clean_text(10), max_size=3)),
        },
    )
)
question_list_slots: st.SearchStrategy[object] = st.one_of(
    st.lists(st.one_of(_question_mappings, hostile_values), max_size=3), hostile_values
)
answer_values: st.SearchStrategy[object] = mostly(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.sampled_from(["IT", "Manufacturing", "it"]),
        st.booleans(),
        notes,
    )
)
answer_slots: st.SearchStrategy[object] = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(FUZZ_QUESTION_IDS), hostile_keys), answer_values, max_size=4
    ),
    hostile_values,
)
questionnaire_version_slots: st.SearchStrategy[object] = st.one_of(
    st.none(), st.integers(min_value=-1, max_value=3), hostile_values
)

# Documents.
filename_slots: st.SearchStrategy[object] = mostly(
    st.one_of(
        st.sampled_from(["report.pdf", "../../etc/passwd", "report\u202efdp.exe", "..", "a/b"]),
        clean_text(20),
    )
)
content_slots: st.SearchStrategy[object] = mostly(
    st.one_of(st.binary(max_size=64), st.just(b"%PDF" * 250_000))
)
content_type_slots: st.SearchStrategy[object] = mostly(
    st.sampled_from(["application/pdf", "text/plain; charset=utf-8", "TEXT/CSV", "x/y", ""])
)
