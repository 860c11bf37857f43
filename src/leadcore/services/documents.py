"""Document commands: upload, list, read, delete (soft).

The content goes to the BlobStore, which is not transactional, so an upload writes the
blob first and then commits the metadata, and removes the blob again if that commit
fails: no metadata row ever points at nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from leadcore.domain import errors
from leadcore.domain.audit import AuditAction, AuditEntry, EntityType, lead_part_entry
from leadcore.domain.documents import Document, DocumentLimits
from leadcore.domain.leads import Lead
from leadcore.domain.users import Permission, User
from leadcore.domain.validation import plausible_id
from leadcore.ports.documents import BlobStore
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import Intent, UnitOfWork, UnitOfWorkFactory
from leadcore.services.access import can_see, load_actor, load_actor_and_lead, visible
from leadcore.services.commands import command

log = logging.getLogger("leadcore.services.documents")


class DocumentService:
    """Files attached to leads: staff on any lead, an assessor on the leads assigned to them."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        blobs: BlobStore,
        limits: DocumentLimits,
        limiter: RateLimiter,
    ) -> None:
        self.units = uow
        self._clock = clock
        self._ids = ids
        self._blobs = blobs
        self._limits = limits
        self.limiter = limiter

    @command(log, ActionClass.WRITE)
    def upload(
        self,
        actor_id: object,
        lead_id: object,
        filename: object,
        data: object,
        content_type: object,
    ) -> Document:
        """Attach a file to a lead; ``filename`` is kept only as a cleaned display name.

        Refused: an empty file, one over the size limit, a content type not allowed
        (INVALID_INPUT naming each field), a filename that is empty once cleaned.
        """
        with self.units(Intent.READ) as uow:
            actor, lead = _writable_lead(uow, actor_id, lead_id)
        name, content, kind = self._limits.check(filename, data, content_type)
        document = Document.uploaded(
            self._ids.new_id(), lead.id, name, kind, content, actor.id, self._clock.now()
        )
        self._blobs.put(document.blob_name, content)
        try:
            with self.units(Intent.WRITE) as uow:
                _writable_lead(uow, actor.id, lead.id)  # still allowed now the blob is written
                entry = self._entry(
                    AuditAction.DOCUMENT_UPLOADED, actor, document, {}, document.audit_values()
                )
                uow.documents.add(document, entry)
                uow.commit()
        except BaseException:
            self._discard(document)
            raise
        return document

    @command(log, ActionClass.READ)
    def list(self, actor_id: object, lead_id: object) -> list[Document]:
        """Return the documents of a lead the actor may see, oldest first, deleted ones left out."""
        with self.units(Intent.READ) as uow:
            actor, lead = load_actor_and_lead(
                uow, actor_id, lead_id, Permission.READ_ASSIGNED_LEADS
            )
            return list(uow.documents.list_for_lead(visible(actor, lead, lead_id).id))

    @command(log, ActionClass.READ)
    def get(self, actor_id: object, document_id: object) -> Document:
        """Return a document's metadata; DOCUMENT_NOT_FOUND if deleted or not visible."""
        with self.units(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            return _visible_document(uow, actor, document_id)

    @command(log, ActionClass.READ)
    def read(self, actor_id: object, document_id: object) -> bytes:
        """Return a document's content, checked against its size and SHA-256."""
        with self.units(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.READ_ASSIGNED_LEADS)
            document = _visible_document(uow, actor, document_id)
        content = self._blobs.get(document.blob_name)
        if content is None or not document.matches(content):
            raise errors.database_error(
                "the document's content is missing or damaged",
                retryable=False,
                document_id=document.id,
            )
        return content

    @command(log, ActionClass.WRITE)
    def delete(self, actor_id: object, document_id: object) -> Document:
        """Delete a document softly (its content is kept until a purge); return it as deleted.

        ADMIN and REVIEWER may delete any; an assessor only what they uploaded to a lead
        assigned to them. Afterwards the document is DOCUMENT_NOT_FOUND.
        """
        with self.units(Intent.WRITE) as uow:
            actor = load_actor(uow, actor_id, Permission.WRITE_ASSIGNED_DOCUMENTS)
            document = _visible_document(uow, actor, document_id)
            if not actor.may(Permission.WRITE_ALL_DOCUMENTS) and document.uploaded_by != actor.id:
                raise errors.insufficient_permissions(
                    actor.id, actor.role.value, "delete documents uploaded by others"
                )
            at = self._clock.now()
            deleted = document.deleted(at)
            entry = self._entry(
                AuditAction.DOCUMENT_DELETED,
                actor,
                deleted,
                {"deleted_at": None},
                {"deleted_at": at.isoformat()},
            )
            uow.documents.mark_deleted(deleted, entry)
            uow.commit()
        return deleted

    def _entry(
        self,
        action: AuditAction,
        actor: User,
        document: Document,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
    ) -> AuditEntry:
        return lead_part_entry(
            self._ids.new_id(),
            document.deleted_at or document.uploaded_at,
            actor.id,
            action,
            document.lead_id,
            (EntityType.DOCUMENT, document.id),
            old,
            new,
        )

    def _discard(self, document: Document) -> None:
        """Remove the blob of an upload whose metadata did not commit."""
        try:
            self._blobs.delete(document.blob_name)
        except errors.LeadCoreError:
            log.exception("could not remove the content of failed upload %s", document.id)


def _writable_lead(uow: UnitOfWork, actor_id: object, lead_id: object) -> tuple[User, Lead]:
    """Return the actor and the lead they may attach documents to; refuse otherwise."""
    actor, lead = load_actor_and_lead(uow, actor_id, lead_id, Permission.WRITE_ASSIGNED_DOCUMENTS)
    lead = visible(actor, lead, lead_id)
    if not actor.may(Permission.WRITE_ALL_DOCUMENTS) and lead.assessor_id != actor.id:
        raise errors.insufficient_permissions(
            actor.id, actor.role.value, "upload documents to leads not assigned to them"
        )
    return actor, lead


def _visible_document(uow: UnitOfWork, actor: User, document_id: object) -> Document:
    """Return a document that is not deleted, of a lead ``actor`` may see."""
    checked = plausible_id(document_id)
    document = None if checked is None else uow.documents.get(checked)
    if document is None or document.is_deleted:
        raise errors.document_not_found(document_id)
    lead = uow.leads.get(document.lead_id)
    if lead is None or not can_see(actor, lead):
        raise errors.document_not_found(document_id)
    return document
