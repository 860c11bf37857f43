"""leadcore: the business core of a lead-to-assessment workflow.

``leadcore.connect(url)`` returns a LeadCore whose services (``users``, ``leads``,
``audit``) are the public surface; everything imported here is the stable contract.
"""

from leadcore.bootstrap import LeadCore, connect
from leadcore.domain.audit import AuditAction, AuditEntry, EntityType
from leadcore.domain.errors import ErrorCode, LeadCoreError, user_message
from leadcore.domain.lead_ids import LeadIdFormat
from leadcore.domain.leads import Lead, LeadStatus
from leadcore.domain.pages import Page
from leadcore.domain.users import Role, User
from leadcore.domain.validation import LeadInput, UserInput
from leadcore.services.envelope import run_action
from leadcore.settings import Settings

__all__ = [
    "AuditAction",
    "AuditEntry",
    "EntityType",
    "ErrorCode",
    "Lead",
    "LeadCore",
    "LeadCoreError",
    "LeadIdFormat",
    "LeadInput",
    "LeadStatus",
    "Page",
    "Role",
    "Settings",
    "User",
    "UserInput",
    "connect",
    "run_action",
    "user_message",
]
