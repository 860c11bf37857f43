"""Document ports: metadata in the store, content in a blob store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from leadcore.domain.audit import AuditEntry
from leadcore.domain.documents import Document


class DocumentRepository(Protocol):
    """Document metadata; deletion is soft (``deleted_at``), the row stays."""

    def add(self, document: Document, audit: AuditEntry) -> None:
        """Insert a document's metadata with its entry; DUPLICATE_RESOURCE if the id is taken."""
        ...

    def get(self, document_id: str) -> Document | None:
        """Return the document with this id, deleted or not, or None."""
        ...

    def list_for_lead(self, lead_id: str) -> Sequence[Document]:
        """Return the lead's documents that are not deleted, in (uploaded_at, id) order."""
        ...

    def mark_deleted(self, document: Document, audit: AuditEntry) -> None:
        """Store ``document.deleted_at`` with its entry, if the stored one is not deleted yet.

        Compare-and-set on ``deleted_at IS NULL``: DOCUMENT_NOT_FOUND if it is missing or
        already deleted, so of two concurrent deletes exactly one is recorded.
        """
        ...


class BlobStore(Protocol):
    """Document content by name. Not transactional: writes are immediate and durable."""

    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` under a new ``name``, atomically; DUPLICATE_RESOURCE if it exists."""
        ...

    def get(self, name: str) -> bytes | None:
        """Return the content stored under ``name``, or None if there is none."""
        ...

    def delete(self, name: str) -> None:
        """Remove the content stored under ``name``; a missing name is not an error."""
        ...
