"""The blob is written before the metadata commits, and removed if that commit fails."""

from __future__ import annotations

import logging

import pytest
from dependency_injector import providers

import leadcore
from leadcore import AuditAction, ErrorCode, Lead, LeadCore
from leadcore.adapters.files import FileBlobStore
from leadcore.adapters.memory.documents import MemoryBlobStore
from leadcore.adapters.system import Uuid7Generator
from leadcore.domain import errors
from tests.assessments.doubles import make_commits_fail
from tests.assessments.helpers import lead_history, refused
from tests.conftest import FakeClock, People


class ScriptedIds:
    """New UUIDs, except that the ids queued in ``script`` come out first."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self._real = Uuid7Generator()

    def new_id(self) -> str:
        """Return the next scripted id, or a fresh UUID."""
        return self.script.pop(0) if self.script else self._real.new_id()


class PutFails(MemoryBlobStore):
    """A blob store whose disk is full."""

    def put(self, name: str, data: bytes) -> None:
        """Refuse every write."""
        raise errors.database_error("disk full", retryable=True)


class DeleteFails(MemoryBlobStore):
    """A blob store that stores but cannot delete."""

    def delete(self, name: str) -> None:
        """Refuse every delete."""
        raise errors.database_error("read-only file system", retryable=False)


def files(core: LeadCore) -> FileBlobStore:
    """Return the core's filesystem blob store."""
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore)
    return blobs


def use_blobs(core: LeadCore, blobs: MemoryBlobStore) -> None:
    """Swap the core's blob store for ``blobs`` and rebuild the document service."""
    core.container.blobs.override(providers.Object(blobs))
    core.container.documents.reset()


def test_a_failed_commit_removes_the_written_blob(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """When the metadata cannot commit, the upload fails and leaves no blob and no entry."""
    before = lead_history(core, people, lead.id)
    blobs = files(core)
    make_commits_fail(core)
    refused(
        ErrorCode.DATABASE_ERROR,
        lambda: core.container.documents().upload(
            people.reviewer.id, lead.id, "a.pdf", b"%PDF", "application/pdf"
        ),
    )
    assert blobs.names() == []
    assert core.documents.list(people.reviewer.id, lead.id) == []
    assert lead_history(core, people, lead.id) == before


def test_a_failed_blob_write_records_no_metadata(
    core: LeadCore, people: People, lead: Lead
) -> None:
    """If the content cannot be stored, there is no document and no DOCUMENT_UPLOADED."""
    use_blobs(core, PutFails())
    refused(
        ErrorCode.DATABASE_ERROR,
        lambda: core.container.documents().upload(
            people.reviewer.id, lead.id, "a.pdf", b"%PDF", "application/pdf"
        ),
    )
    assert core.documents.list(people.reviewer.id, lead.id) == []
    assert AuditAction.DOCUMENT_UPLOADED not in {
        e.action for e in lead_history(core, people, lead.id)
    }


def test_a_cleanup_that_fails_is_logged_and_the_commit_error_kept(
    core: LeadCore, people: People, lead: Lead, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller sees the commit's DATABASE_ERROR; the stray blob is reported in the log."""
    blobs = DeleteFails()
    use_blobs(core, blobs)
    make_commits_fail(core)
    with caplog.at_level(logging.ERROR, logger="leadcore.services.documents"):
        error = refused(
            ErrorCode.DATABASE_ERROR,
            lambda: core.container.documents().upload(
                people.reviewer.id, lead.id, "a.pdf", b"%PDF", "application/pdf"
            ),
        )
    assert error.message == "the test refuses this commit"
    assert "could not remove the content of failed upload" in caplog.text
    assert len(blobs.names()) == 1


def test_a_duplicate_document_id_keeps_the_first_content(clock: FakeClock) -> None:
    """A reused id is DUPLICATE_RESOURCE; the first document and its bytes are untouched."""
    ids = ScriptedIds()
    with leadcore.connect("memory://", clock=clock, ids=ids, rate_limits_enabled=False) as core:
        admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
        lead = core.leads.create(admin.id, {"company_name": "Acme", "cin": "U72900KA2015PTC000001"})
        ids.script = ["doc-1"]
        first = core.documents.upload(admin.id, lead.id, "a.txt", b"first", "text/plain")
        ids.script = ["doc-1"]
        refused(
            ErrorCode.DUPLICATE_RESOURCE,
            lambda: core.documents.upload(admin.id, lead.id, "b.txt", b"second", "text/plain"),
        )
        assert core.documents.list(admin.id, lead.id) == [first]
        assert core.documents.read(admin.id, "doc-1") == b"first"
