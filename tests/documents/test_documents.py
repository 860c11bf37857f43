"""Uploading, listing, reading and (softly) deleting a lead's documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import leadcore
from leadcore import AuditAction, Document, EntityType, ErrorCode, Lead, LeadCore
from leadcore.adapters.files import FileBlobStore
from leadcore.adapters.memory.documents import MemoryBlobStore
from leadcore.domain.documents import blob_name
from tests.assessments.helpers import assigned_lead, lead_history, refused
from tests.conftest import FakeClock, People
from tests.documents.conftest import OpenCore

PDF = b"%PDF-1.7 a small report"


def upload(core: LeadCore, people: People, lead: Lead, data: bytes = PDF) -> Document:
    """Upload ``data`` as report.pdf to ``lead``, as the reviewer."""
    return core.documents.upload(people.reviewer.id, lead.id, "report.pdf", data, "application/pdf")


def test_an_upload_returns_its_metadata(
    core: LeadCore, people: People, lead: Lead, clock: FakeClock
) -> None:
    """The document has the lead, display name, type, size, SHA-256 hex, uploader and time."""
    document = upload(core, people, lead)
    assert (document.lead_id, document.filename, document.content_type) == (
        lead.id,
        "report.pdf",
        "application/pdf",
    )
    assert (document.size, document.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (document.uploaded_by, document.uploaded_at, document.deleted_at) == (
        people.reviewer.id,
        clock.current,
        None,
    )


def test_read_returns_the_uploaded_bytes(core: LeadCore, people: People, lead: Lead) -> None:
    """read gives back exactly what was uploaded."""
    document = upload(core, people, lead)
    assert core.documents.read(people.admin.id, document.id) == PDF


def test_get_returns_what_upload_returned(core: LeadCore, people: People, lead: Lead) -> None:
    """The stored metadata equals the uploaded document."""
    document = upload(core, people, lead)
    assert core.documents.get(people.assessor.id, document.id) == document


def test_list_returns_the_leads_documents_oldest_first(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """list holds this lead's documents in upload order, and none of another lead's."""
    first = upload(core, people, lead, b"one")
    second = upload(core, people, lead, b"two")
    other = assigned_lead(core, people, 2)
    upload(core, people, other, b"three")
    assert core.documents.list(people.reviewer.id, lead.id) == [first, second]


def test_bytes_like_content_is_accepted(core: LeadCore, people: People, lead: Lead) -> None:
    """A bytearray or a memoryview uploads like bytes."""
    one = core.documents.upload(
        people.reviewer.id, lead.id, "a.txt", bytearray(b"ab"), "text/plain"
    )
    two = core.documents.upload(
        people.reviewer.id, lead.id, "b.txt", memoryview(b"cd"), "text/plain"
    )
    assert core.documents.read(people.reviewer.id, one.id) == b"ab"
    assert core.documents.read(people.reviewer.id, two.id) == b"cd"


def test_a_content_type_is_stored_as_its_media_type(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Parameters are dropped and the media type lower-cased."""
    document = core.documents.upload(
        people.reviewer.id, lead.id, "notes.txt", b"hello", "Text/Plain; charset=UTF-8"
    )
    assert document.content_type == "text/plain"


def test_delete_is_soft_and_hides_the_document(core: LeadCore, people: People, lead: Lead) -> None:
    """delete returns the document with deleted_at; get and read are then DOCUMENT_NOT_FOUND."""
    document = upload(core, people, lead)
    deleted = core.documents.delete(people.reviewer.id, document.id)
    assert deleted.deleted_at is not None
    assert core.documents.list(people.reviewer.id, lead.id) == []
    refused(
        ErrorCode.DOCUMENT_NOT_FOUND, lambda: core.documents.read(people.reviewer.id, document.id)
    )
    refused(
        ErrorCode.DOCUMENT_NOT_FOUND, lambda: core.documents.get(people.reviewer.id, document.id)
    )


def test_deleting_twice_is_document_not_found(core: LeadCore, people: People, lead: Lead) -> None:
    """A deleted document cannot be deleted again."""
    document = upload(core, people, lead)
    core.documents.delete(people.reviewer.id, document.id)
    error = refused(
        ErrorCode.DOCUMENT_NOT_FOUND, lambda: core.documents.delete(people.admin.id, document.id)
    )
    assert error.context == {"document_id": document.id}


def test_a_deleted_documents_content_is_kept_until_a_purge(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """Soft delete leaves the blob in the blob store."""
    document = upload(core, people, lead)
    core.documents.delete(people.reviewer.id, document.id)
    assert core.container.blobs().get(document.blob_name) == PDF


def test_the_blob_name_comes_from_the_id_never_the_filename(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """The only stored blob is named from the document id; the filename appears nowhere."""
    document = core.documents.upload(
        people.reviewer.id, lead.id, "../../etc/passwd", b"root:x:0:0", "text/plain"
    )
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore)
    assert blobs.names() == [blob_name(document.id)]
    assert "passwd" not in blob_name(document.id)


def test_upload_and_delete_are_audited_under_the_lead(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """DOCUMENT_UPLOADED holds the metadata; DOCUMENT_DELETED the old and new deleted_at."""
    document = upload(core, people, lead)
    deleted = core.documents.delete(people.admin.id, document.id)
    uploaded_entry, deleted_entry = lead_history(core, people, lead.id)[-2:]
    assert (uploaded_entry.action, uploaded_entry.entity_type, uploaded_entry.entity_id) == (
        AuditAction.DOCUMENT_UPLOADED,
        EntityType.DOCUMENT,
        document.id,
    )
    assert dict(uploaded_entry.new) == {
        "filename": "report.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": document.sha256,
    }
    assert (deleted_entry.action, deleted_entry.actor_id, deleted_entry.lead_id) == (
        AuditAction.DOCUMENT_DELETED,
        people.admin.id,
        lead.id,
    )
    assert (dict(deleted_entry.old), dict(deleted_entry.new)) == (
        {"deleted_at": None},
        {"deleted_at": deleted.deleted_at.isoformat() if deleted.deleted_at else None},
    )


def test_documents_run_through_the_envelope_as_json(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """run_action maps a list of documents item by item to JSON-ready dicts."""
    document = upload(core, people, lead)
    result = leadcore.run_action(core.documents.list, people.reviewer.id, lead.id)
    assert json.loads(json.dumps(result)) == {"success": True, "data": [document.to_dict()]}


def test_damaged_content_is_a_database_error(core: LeadCore, people: People, lead: Lead) -> None:
    """If the stored bytes no longer match the SHA-256, read refuses to return them."""
    document = upload(core, people, lead)
    blobs = core.container.blobs()
    blobs.delete(document.blob_name)
    blobs.put(document.blob_name, b"tampered")
    refused(ErrorCode.DATABASE_ERROR, lambda: core.documents.read(people.reviewer.id, document.id))


def test_missing_content_is_a_database_error(core: LeadCore, people: People, lead: Lead) -> None:
    """If the blob vanished, read says so instead of returning nothing."""
    document = upload(core, people, lead)
    core.container.blobs().delete(document.blob_name)
    error = refused(
        ErrorCode.DATABASE_ERROR, lambda: core.documents.read(people.reviewer.id, document.id)
    )
    assert error.context["document_id"] == document.id


def test_contents_go_to_the_configured_directory(open_core: OpenCore, tmp_path: Path) -> None:
    """With document_directory set, each upload is one file there, named from its id."""
    core = open_core(document_directory=str(tmp_path / "docs"))
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    lead = core.leads.create(admin.id, {"company_name": "Acme", "cin": "U72900KA2015PTC000001"})
    document = core.documents.upload(admin.id, lead.id, "a.csv", b"x,y\n", "text/csv")
    files = sorted(p.name for p in (tmp_path / "docs").iterdir())
    assert files == [blob_name(document.id)]
    assert (tmp_path / "docs" / files[0]).read_bytes() == b"x,y\n"


def test_the_memory_blob_store_can_be_chosen(open_core: OpenCore) -> None:
    """blob_store="memory" keeps contents in the process; uploads and reads work the same."""
    core = open_core(blob_store="memory")
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    lead = core.leads.create(admin.id, {"company_name": "Acme", "cin": "U72900KA2015PTC000001"})
    document = core.documents.upload(admin.id, lead.id, "a.txt", b"hi", "text/plain")
    assert isinstance(core.container.blobs(), MemoryBlobStore)
    assert core.documents.read(admin.id, document.id) == b"hi"


def test_the_temporary_directory_of_memory_is_removed_at_close() -> None:
    """memory:// without a directory keeps contents in a temp dir that close() removes."""
    core = leadcore.connect("memory://", rate_limits_enabled=False)
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore)
    assert blobs.directory.is_dir()
    core.close()
    assert not blobs.directory.exists()
