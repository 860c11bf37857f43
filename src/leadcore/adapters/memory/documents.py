"""Memory document metadata and a memory blob store."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from leadcore.adapters.memory.store import MemoryStore, UndoLog
from leadcore.domain import errors
from leadcore.domain.audit import AuditEntry
from leadcore.domain.documents import Document
from leadcore.ports.repositories import AuditRepository


class MemoryDocuments:
    """Document metadata in a MemoryStore, written with their audit entries."""

    def __init__(self, store: MemoryStore, undo: UndoLog, audit: AuditRepository) -> None:
        self._store = store
        self._undo = undo
        self._audit = audit

    def add(self, document: Document, audit: AuditEntry) -> None:
        """Insert a document's metadata with its entry; DUPLICATE_RESOURCE if the id is taken."""
        if document.id in self._store.documents:
            raise errors.duplicate_resource(document_id=document.id)
        ids = self._store.document_ids_by_lead.get(document.lead_id, ())
        self._undo.put(self._store.documents, document.id, document)
        self._undo.put(self._store.document_ids_by_lead, document.lead_id, (*ids, document.id))
        self._audit.append(audit)

    def get(self, document_id: str) -> Document | None:
        """Return the document with this id, deleted or not, or None."""
        return self._store.documents.get(document_id)

    def list_for_lead(self, lead_id: str) -> Sequence[Document]:
        """Return the lead's documents that are not deleted, in (uploaded_at, id) order."""
        documents = self._store.documents
        found = (documents[i] for i in self._store.document_ids_by_lead.get(lead_id, ()))
        return sorted((d for d in found if not d.is_deleted), key=lambda d: (d.uploaded_at, d.id))

    def mark_deleted(self, document: Document, audit: AuditEntry) -> None:
        """Store ``document.deleted_at`` with its entry, if the stored one is not deleted yet."""
        if document.deleted_at is None:
            raise errors.invalid_field("deleted_at", "must be set to delete a document")
        stored = self._store.documents.get(document.id)
        if stored is None or stored.is_deleted:
            raise errors.document_not_found(document.id)
        self._undo.put(self._store.documents, document.id, stored.deleted(document.deleted_at))
        self._audit.append(audit)


class MemoryBlobStore:
    """Blobs in a dict, under a lock; like the filesystem store, never transactional."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blobs: dict[str, bytes] = {}

    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` under a new ``name``; DUPLICATE_RESOURCE if it exists."""
        content = bytes(data)
        with self._lock:
            if name in self._blobs:
                raise errors.duplicate_resource(blob=name)
            self._blobs[name] = content

    def get(self, name: str) -> bytes | None:
        """Return the content stored under ``name``, or None if there is none."""
        with self._lock:
            return self._blobs.get(name)

    def delete(self, name: str) -> None:
        """Remove the content stored under ``name``; a missing name is not an error."""
        with self._lock:
            self._blobs.pop(name, None)

    def names(self) -> list[str]:
        """Return the names of every stored blob, sorted."""
        with self._lock:
            return sorted(self._blobs)
