"""Reading whole lists in the batch suite."""

from __future__ import annotations

from leadcore import AuditEntry, Lead, LeadCore


def all_leads(core: LeadCore, actor_id: str) -> list[Lead]:
    """Return every lead ``actor_id`` may list, page by page."""
    found: list[Lead] = []
    after: str | None = None
    while True:
        page = core.leads.list(actor_id, limit=1000, after=after)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def all_audit(core: LeadCore, actor_id: str, action: str | None = None) -> list[AuditEntry]:
    """Return the audit trail (of one action, if given), oldest first, page by page."""
    found: list[AuditEntry] = []
    after: str | None = None
    while True:
        page = core.audit.list(actor_id, action=action, limit=1000, after=after)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def lead_ids(core: LeadCore, actor_id: str) -> list[str]:
    """Return the ids of every lead, sorted."""
    return sorted(lead.id for lead in all_leads(core, actor_id))
