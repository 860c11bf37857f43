"""SQL-injection and format strings are data: they round-trip verbatim and match nothing.

``contact_phone`` and ``cin`` are left out of the round trips: their patterns (digits,
brackets; the CIN shape) refuse every such string before it reaches a store, which
test_hostile_input covers.
"""

from __future__ import annotations

import attrs

import leadcore
from leadcore import Lead, LeadCore, LeadStatus, Role, User
from tests.conftest import People, lead_data
from tests.strategies import INJECTION_STRINGS

# The lead fields that take free text, and the e-mail, which takes most characters.
FREE_TEXT_FIELDS: tuple[str, ...] = ("company_name", "contact_name", "city", "state", "notes")


def as_email(text: str) -> str:
    """Return ``text`` as the local part of an e-mail address (no spaces, no @)."""
    local = "".join(c for c in text if not c.isspace() and c != "@")
    return f"{local}@example.in"


def hostile_lead(n: int, text: str) -> dict[str, object]:
    """Return valid input for lead ``n`` that carries ``text`` in every text field."""
    fields: dict[str, object] = dict.fromkeys(FREE_TEXT_FIELDS, text)
    fields["notes"] = f"{text}\n{text}"
    fields["contact_email"] = as_email(text)
    return lead_data(n, **fields)


def editable(lead: Lead) -> dict[str, object]:
    """Return the fields of ``lead`` that its input gave, by name."""
    values = attrs.asdict(lead)
    return {name: values[name] for name in (*FREE_TEXT_FIELDS, "contact_email", "cin")}


def test_injection_strings_round_trip_in_every_lead_field(core: LeadCore, people: People) -> None:
    """A lead created with an injection string in each text field reads back exactly so."""
    sent = {text: hostile_lead(n, text) for n, text in enumerate(INJECTION_STRINGS, start=1)}
    created = {text: core.leads.create(people.reviewer.id, data) for text, data in sent.items()}
    read = {text: core.leads.get(people.admin.id, lead.id) for text, lead in created.items()}
    assert {text: editable(lead) for text, lead in read.items()} == sent
    assert read == created


def test_injection_strings_round_trip_in_a_user(core: LeadCore, people: People) -> None:
    """A user named with an injection string (and one in the e-mail) reads back exactly so."""
    created: dict[str, User] = {}
    for text in INJECTION_STRINGS:
        data = {"email": as_email(text).lower(), "name": text, "role": Role.REVIEWER}
        created[text] = core.users.create(people.admin.id, data)
    read = {text: core.users.get(people.admin.id, user.id) for text, user in created.items()}
    assert {text: (user.name, user.email) for text, user in read.items()} == {
        text: (text, as_email(text).lower()) for text in INJECTION_STRINGS
    }
    assert read == created


def test_injection_strings_as_ids_and_filters_find_nothing(core: LeadCore, people: People) -> None:
    """Injection strings as ids and filters match no row, and the tables are still whole."""
    lead = core.leads.create(people.reviewer.id, lead_data(1))
    admin = people.admin.id
    found = {
        text: (
            list(core.leads.list(admin, assessor_id=text).items),
            list(core.audit.list(admin, lead_id=text).items),
            leadcore.run_action(core.leads.get, admin, text).get("code"),
            leadcore.run_action(core.users.get, admin, text).get("code"),
        )
        for text in INJECTION_STRINGS
    }
    assert found == dict.fromkeys(INJECTION_STRINGS, ([], [], "LEAD_NOT_FOUND", "USER_NOT_FOUND"))
    assert list(core.leads.list(admin, status=LeadStatus.NEW).items) == [lead]
