"""Documents attached to a lead: metadata, display-name cleaning and upload limits."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from leadcore.domain import errors

MAX_FILENAME_LENGTH = 255
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_CONTENT_TYPES: tuple[str, ...] = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/csv",
    "text/plain",
)

# Control characters (Cc), unpaired surrogates, and the bidirectional overrides that make
# "report\u202efdp.exe" display as "reportexe.pdf".
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = re.compile(r"[/\\]")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}")
_SAFE_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}", re.ASCII)


def clean_filename(value: object) -> str:
    """Return ``value`` as a display name: no path separators, ``..`` or control characters.

    Compatibility forms are folded first (a full-width solidus is a solidus), then the
    forbidden parts are stripped; what is left must not be empty, ``.`` or ``..``.
    """
    if not isinstance(value, str):
        raise errors.invalid_field("filename", "must be text")
    name = unicodedata.normalize("NFKC", value)
    name = _INVISIBLE.sub("", name)
    name = _SEPARATORS.sub("", name)
    while ".." in name:
        name = name.replace("..", "")
    name = name.strip()
    if name in {"", ".", ".."}:
        raise errors.invalid_field("filename", "must name a file (not empty, '.' or '..')")
    if len(name) > MAX_FILENAME_LENGTH:
        raise errors.invalid_field("filename", f"must be at most {MAX_FILENAME_LENGTH} characters")
    return name


def normalize_content_type(value: object) -> str | None:
    """Return the media type of a Content-Type value (lower-cased, parameters dropped)."""
    if not isinstance(value, str):
        return None
    essence = value.split(";", 1)[0].strip().lower()
    return essence if _CONTENT_TYPE.fullmatch(essence) else None


def blob_name(document_id: str) -> str:
    """Return the name a document's content is stored under: from its id, never its filename.

    Ids of letters, digits, ``_`` and ``-`` (UUIDs) are used as they are; any other id is
    hashed, so no id can make a blob name that leaves the blob store's directory.
    """
    if _SAFE_ID.fullmatch(document_id):
        return f"d-{document_id}"
    return "h-" + hashlib.sha256(document_id.encode("utf-8", "surrogatepass")).hexdigest()


def _check_max_bytes(_instance: object, _attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise errors.invalid_field("document_max_bytes", "must be a positive integer")


def _content_types(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        raise errors.invalid_field("document_content_types", "must be a list of media types")
    cleaned = frozenset(normalize_content_type(value) for value in values)
    if not cleaned or None in cleaned:
        raise errors.invalid_field("document_content_types", "must list valid media types")
    return frozenset(value for value in cleaned if value is not None)


@attrs.frozen
class DocumentLimits:
    """What an upload may be: at most ``max_bytes``, one of ``content_types``, not empty."""

    max_bytes: int = attrs.field(default=DEFAULT_MAX_BYTES, validator=_check_max_bytes)
    content_types: frozenset[str] = attrs.field(
        default=DEFAULT_CONTENT_TYPES, converter=_content_types
    )

    def check(self, filename: object, data: object, content_type: object) -> tuple[str, bytes, str]:
        """Return (display name, content, media type); INVALID_INPUT naming each bad field."""
        problems: dict[str, str] = {}
        name = ""
        content = b""
        try:
            name = clean_filename(filename)
        except errors.LeadCoreError as exc:
            problems.update(exc.context["fields"])
        if not isinstance(data, bytes | bytearray | memoryview):
            problems["data"] = "must be bytes"
        elif len(data) == 0:
            problems["data"] = "must not be empty"
        elif len(data) > self.max_bytes:
            problems["data"] = f"must be at most {self.max_bytes} bytes"
        else:
            content = bytes(data)
        kind = normalize_content_type(content_type)
        if kind is None or kind not in self.content_types:
            problems["content_type"] = "must be one of " + ", ".join(sorted(self.content_types))
        if problems:
            raise errors.invalid_input(problems)
        return name, content, str(kind)


@attrs.frozen
class Document:
    """A file attached to a lead; its content lives in the blob store under ``blob_name``."""

    id: str
    lead_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    deleted_at: datetime | None = None

    @classmethod
    def uploaded(
        cls,
        document_id: str,
        lead_id: str,
        filename: str,
        content_type: str,
        data: bytes,
        by: str,
        at: datetime,
    ) -> Document:
        """Return the metadata of ``data`` uploaded now (size and SHA-256 computed here)."""
        return cls(
            id=document_id,
            lead_id=lead_id,
            filename=filename,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=by,
            uploaded_at=at,
        )

    @property
    def blob_name(self) -> str:
        """The name of this document's content in the blob store."""
        return blob_name(self.id)

    @property
    def is_deleted(self) -> bool:
        """Say whether the document has been (softly) deleted."""
        return self.deleted_at is not None

    def deleted(self, at: datetime) -> Document:
        """Return this document marked deleted at ``at``."""
        return attrs.evolve(self, deleted_at=at)

    def matches(self, data: bytes) -> bool:
        """Say whether ``data`` is this document's content (size and SHA-256)."""
        return len(data) == self.size and hashlib.sha256(data).hexdigest() == self.sha256

    def audit_values(self) -> dict[str, Any]:
        """Return the fields a DOCUMENT_UPLOADED entry records."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the document's metadata as JSON-ready data."""
        return {
            "id": self.id,
            "lead_id": self.lead_id,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at.isoformat(),
            "deleted_at": None if self.deleted_at is None else self.deleted_at.isoformat(),
        }
