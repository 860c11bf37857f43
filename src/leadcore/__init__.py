"""leadcore: the business core of a lead-to-assessment workflow.

``leadcore.connect(url)`` returns a LeadCore whose services (``users``, ``leads``,
``audit``, ``assessments``, ``documents``) are the public surface; everything imported
here is the stable contract.
"""

from leadcore.bootstrap import LeadCore, connect
from leadcore.domain.assessments import Answer, Assessment, AssessmentStatus
from leadcore.domain.audit import AuditAction, AuditEntry, ChainReport, EntityType
from leadcore.domain.documents import Document, DocumentLimits
from leadcore.domain.errors import ErrorCode, LeadCoreError, user_message
from leadcore.domain.lead_ids import LeadIdFormat
from leadcore.domain.leads import Lead, LeadStatus
from leadcore.domain.pages import Page
from leadcore.domain.questionnaires import Question, Questionnaire, QuestionType
from leadcore.domain.users import Role, User
from leadcore.domain.validation import LeadInput, UserInput
from leadcore.services.envelope import run_action
from leadcore.settings import Settings

__all__ = [
    "Answer",
    "Assessment",
    "AssessmentStatus",
    "AuditAction",
    "AuditEntry",
    "ChainReport",
    "Document",
    "DocumentLimits",
    "EntityType",
    "ErrorCode",
    "Lead",
    "LeadCore",
    "LeadCoreError",
    "LeadIdFormat",
    "LeadInput",
    "LeadStatus",
    "Page",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Role",
    "Settings",
    "User",
    "UserInput",
    "connect",
    "run_action",
    "user_message",
]
