"""Who may upload, read and delete documents."""

from __future__ import annotations

import pytest

from leadcore import Document, ErrorCode, Lead, LeadCore, User
from leadcore.adapters.files import FileBlobStore
from tests.assessments.helpers import refused
from tests.conftest import People, lead_data

PDF = b"%PDF-1.7"


def upload_as(core: LeadCore, actor: User, lead_id: object) -> Document:
    """Upload a small PDF to ``lead_id`` as ``actor``."""
    return core.documents.upload(actor.id, lead_id, "r.pdf", PDF, "application/pdf")


def blob_names(core: LeadCore) -> list[str]:
    """Return the names in the core's filesystem blob store."""
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore)
    return blobs.names()


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_staff_upload_to_any_lead(core: LeadCore, people: People, role: str) -> None:
    """ADMIN and REVIEWER upload to a lead assigned to nobody."""
    lead = core.leads.create(people.reviewer.id, lead_data(9))
    document = upload_as(core, getattr(people, role), lead.id)
    assert core.documents.list(people.admin.id, lead.id) == [document]


def test_the_assigned_assessor_uploads_to_their_lead(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """An assessor uploads to a lead assigned to them and reads it back."""
    document = upload_as(core, people.assessor, lead.id)
    assert core.documents.read(people.assessor.id, document.id) == PDF


def test_an_assessor_cannot_upload_to_someone_elses_lead(
    core: LeadCore, lead: Lead, assessor2: User
) -> None:
    """Another assessor gets LEAD_NOT_FOUND, and no content is written."""
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: upload_as(core, assessor2, lead.id))
    assert blob_names(core) == []


def test_an_unknown_uploader_is_unauthorized_before_the_input_is_checked(
    core: LeadCore, lead: Lead
) -> None:
    """An unknown actor with empty content is UNAUTHORIZED, not INVALID_INPUT."""
    refused(
        ErrorCode.UNAUTHORIZED,
        lambda: core.documents.upload("ghost", lead.id, "", b"", "application/x-evil"),
    )


def test_a_deactivated_uploader_is_user_inactive(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """A deactivated reviewer may not upload."""
    core.users.deactivate(people.admin.id, people.reviewer.id)
    refused(ErrorCode.USER_INACTIVE, lambda: upload_as(core, people.reviewer, lead.id))


@pytest.mark.parametrize("lead_id", ["LEAD-2026-0404", None, "", 12])
def test_an_upload_to_an_unknown_lead_is_lead_not_found(
    core: LeadCore, people: People, lead_id: object
) -> None:
    """A lead id that names no lead is LEAD_NOT_FOUND; nothing is written."""
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: upload_as(core, people.reviewer, lead_id))
    assert blob_names(core) == []


def test_another_assessor_cannot_see_the_documents(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """get and read are DOCUMENT_NOT_FOUND, list is LEAD_NOT_FOUND for an unassigned assessor."""
    document = upload_as(core, people.reviewer, lead.id)
    refused(ErrorCode.DOCUMENT_NOT_FOUND, lambda: core.documents.get(assessor2.id, document.id))
    refused(ErrorCode.DOCUMENT_NOT_FOUND, lambda: core.documents.read(assessor2.id, document.id))
    refused(ErrorCode.LEAD_NOT_FOUND, lambda: core.documents.list(assessor2.id, lead.id))


def test_an_assessor_deletes_what_they_uploaded(core: LeadCore, people: People, lead: Lead) -> None:
    """The assigned assessor may delete their own upload."""
    document = upload_as(core, people.assessor, lead.id)
    assert core.documents.delete(people.assessor.id, document.id).deleted_at is not None


def test_an_assessor_may_not_delete_a_reviewers_upload(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Deleting someone else's document is INSUFFICIENT_PERMISSIONS for an assessor."""
    document = upload_as(core, people.reviewer, lead.id)
    refused(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        lambda: core.documents.delete(people.assessor.id, document.id),
    )
    assert core.documents.list(people.assessor.id, lead.id) == [document]


def test_a_reviewer_deletes_an_assessors_upload(core: LeadCore, people: People, lead: Lead) -> None:
    """Staff may delete any document."""
    document = upload_as(core, people.assessor, lead.id)
    core.documents.delete(people.reviewer.id, document.id)
    assert core.documents.list(people.reviewer.id, lead.id) == []


def test_a_former_assessor_loses_access_after_reassignment(
    core: LeadCore, people: People, lead: Lead, assessor2: User
) -> None:
    """Once the lead is reassigned, its previous assessor no longer reads its documents."""
    document = upload_as(core, people.assessor, lead.id)
    current = core.leads.get(people.reviewer.id, lead.id)
    core.leads.assign_assessor(people.reviewer.id, lead.id, assessor2.id, current.version)
    refused(
        ErrorCode.DOCUMENT_NOT_FOUND, lambda: core.documents.read(people.assessor.id, document.id)
    )
    assert core.documents.read(assessor2.id, document.id) == PDF
