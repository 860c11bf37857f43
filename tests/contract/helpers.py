"""Small helpers of the contract suite: catching refusals and reading whole lists."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from leadcore import AuditEntry, ErrorCode, Lead, LeadCore, LeadCoreError, User


def refused(code: ErrorCode, call: Callable[[], object]) -> LeadCoreError:
    """Return the LeadCoreError ``call`` raises, checking that its code is ``code``."""
    with pytest.raises(LeadCoreError) as caught:
        call()
    assert caught.value.code is code, caught.value
    return caught.value


def all_leads(core: LeadCore, actor_id: str, **filters: object) -> list[Lead]:
    """Return every lead ``actor_id`` may list, following the cursors page by page."""
    found: list[Lead] = []
    after: str | None = None
    while True:
        page = core.leads.list(actor_id, limit=1000, after=after, **filters)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def all_audit(core: LeadCore, actor_id: str, **filters: object) -> list[AuditEntry]:
    """Return the whole audit trail (optionally filtered), oldest first."""
    found: list[AuditEntry] = []
    after: str | None = None
    while True:
        page = core.audit.list(actor_id, limit=1000, after=after, **filters)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def all_users(core: LeadCore, actor_id: str) -> list[User]:
    """Return every user, page by page."""
    found: list[User] = []
    after: str | None = None
    while True:
        page = core.users.list(actor_id, limit=1000, after=after)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


@attrs.frozen
class Snapshot:
    """Everything a command could change, read by an active admin."""

    leads: list[Lead]
    audit: list[AuditEntry]
    users: list[User]


def snapshot(core: LeadCore, admin_id: str) -> Snapshot:
    """Return the whole state of ``core`` as seen by an active admin."""
    return Snapshot(all_leads(core, admin_id), all_audit(core, admin_id), all_users(core, admin_id))
