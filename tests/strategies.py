"""Hypothesis strategies for leadcore's tests: every one of them lives in this module."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from leadcore import LeadStatus

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
