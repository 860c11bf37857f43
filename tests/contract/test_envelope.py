"""run_action around real commands: the seed's ActionResponse envelope on every store."""

from __future__ import annotations

import json

from leadcore import ErrorCode, Lead, LeadCore, run_action, user_message
from tests.conftest import People, lead_data


def test_a_successful_command_gives_its_result_as_dict(core: LeadCore, people: People) -> None:
    """success True, data equal to the created lead's to_dict()."""
    outcome = run_action(core.leads.create, people.reviewer.id, lead_data())
    lead = core.leads.get(people.reviewer.id, "LEAD-2026-0001")
    assert outcome == {"success": True, "data": lead.to_dict()}
    assert json.loads(json.dumps(outcome)) == outcome


def test_keyword_arguments_reach_the_command(core: LeadCore, people: People, lead: Lead) -> None:
    """expected_version passed by keyword through run_action is honoured."""
    outcome = run_action(
        core.leads.update, people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1
    )
    assert outcome["success"] is True
    assert (outcome["data"]["city"], outcome["data"]["version"]) == ("Pune", 2)


def test_a_list_result_is_mapped_item_by_item(core: LeadCore, people: People) -> None:
    """active_assessors' list becomes a list of user dicts."""
    outcome = run_action(core.users.active_assessors, people.reviewer.id)
    assert outcome == {"success": True, "data": [people.assessor.to_dict()]}


def test_a_page_result_holds_items_and_the_cursor(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A Page becomes {"items": [...], "next_cursor": None}."""
    outcome = run_action(core.leads.list, people.reviewer.id)
    assert outcome == {"success": True, "data": {"items": [lead.to_dict()], "next_cursor": None}}


def test_an_audit_list_is_mapped_to_entry_dicts(core: LeadCore, people: People, lead: Lead) -> None:
    """for_lead's entries become their to_dict()s."""
    outcome = run_action(core.audit.for_lead, people.reviewer.id, lead.id)
    entries = core.audit.for_lead(people.reviewer.id, lead.id)
    assert outcome["data"] == [entry.to_dict() for entry in entries]


def test_a_refusal_gives_the_user_message_code_and_context(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A duplicate CIN is success False with the sentence, the code and the normalised CIN."""
    outcome = run_action(core.leads.create, people.reviewer.id, lead_data(2, cin=lead.cin.lower()))
    assert outcome == {
        "success": False,
        "error": user_message(ErrorCode.DUPLICATE_CIN),
        "code": "DUPLICATE_CIN",
        "context": {"cin": lead.cin},
    }


def test_invalid_input_lists_the_fields_in_the_envelope(core: LeadCore, people: People) -> None:
    """INVALID_INPUT's context carries fields, JSON-ready."""
    outcome = run_action(core.leads.create, people.reviewer.id, {"cin": "x"})
    assert outcome["code"] == "INVALID_INPUT"
    assert set(outcome["context"]["fields"]) == {"cin", "company_name"}
    assert json.loads(json.dumps(outcome)) == outcome


def test_a_stale_write_gives_both_versions_in_the_envelope(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """CONCURRENT_MODIFICATION's context reaches the caller through the envelope."""
    core.leads.update(people.reviewer.id, lead.id, {"city": "Pune"}, expected_version=1)
    outcome = run_action(
        core.leads.update, people.reviewer.id, lead.id, {"city": "Goa"}, expected_version=1
    )
    assert (outcome["success"], outcome["code"], outcome["context"]) == (
        False,
        "CONCURRENT_MODIFICATION",
        {"lead_id": lead.id, "expected_version": 1, "actual_version": 2},
    )
