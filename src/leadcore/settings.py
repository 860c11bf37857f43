"""Settings of one LeadCore: ids, rate limits, imports, documents, and (SQL stores) the
pool, timeouts and conflict re-runs."""

from __future__ import annotations

from typing import Any

import attrs

from leadcore.domain import errors
from leadcore.domain.documents import DEFAULT_CONTENT_TYPES, DEFAULT_MAX_BYTES, DocumentLimits
from leadcore.domain.lead_ids import LeadIdFormat


def _at_least(minimum: float) -> Any:
    """Return an attrs validator refusing numbers below ``minimum`` with INVALID_INPUT."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise errors.invalid_field(attribute.name, f"must be a number of at least {minimum}")

    return check


def _of_type(kind: type | tuple[type, ...], what: str) -> Any:
    """Return an attrs validator refusing a value not of ``kind`` with INVALID_INPUT."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise errors.invalid_field(attribute.name, f"must be {what}")

    return check


BLOB_STORES: tuple[str, ...] = ("files", "memory")


def _check_content_types(_instance: object, _attribute: object, value: tuple[str, ...]) -> None:
    DocumentLimits(content_types=frozenset(value))  # raises INVALID_INPUT if one is malformed


def _check_blob_store(_instance: object, _attribute: object, value: object) -> None:
    if value not in BLOB_STORES:
        raise errors.invalid_field("blob_store", "must be one of " + ", ".join(BLOB_STORES))


@attrs.frozen
class Settings:
    """Everything a deployment may tune; the defaults suit a laptop and the tests.

    The pool and timeout settings apply to the SQL stores only; times are in seconds.
    """

    lead_id_prefix: str = "LEAD"
    lead_id_width: int = 4
    lead_id_timezone: str = "UTC"

    #: Per actor and action class, at most this many commands per window ("100/second";
    #: None: no limit); the storage is the ``limits`` library's (``redis://…`` to share).
    rate_limits_enabled: bool = attrs.field(default=True, validator=_of_type(bool, "True or False"))
    rate_limit_read: str | None = "1000/second"
    rate_limit_write: str | None = "200/second"
    rate_limit_import: str | None = "10/minute"
    rate_limit_storage_uri: str = attrs.field(
        default="memory://", validator=_of_type(str, "a limits storage URI")
    )
    #: Rows per transaction of a CSV import.
    import_batch_size: int = attrs.field(default=1000, validator=_at_least(1))

    #: Connections kept open per LeadCore, and how many more may be opened under load.
    pool_size: int = attrs.field(default=5, validator=_at_least(1))
    pool_max_overflow: int = attrs.field(default=10, validator=_at_least(0))
    #: How long a command waits for a free connection before DATABASE_ERROR (retryable).
    pool_timeout_seconds: float = attrs.field(default=10.0, validator=_at_least(0))
    #: Connections older than this are replaced at their next checkout (0: never).
    pool_recycle_seconds: float = attrs.field(default=1800.0, validator=_at_least(0))
    #: A connection idle longer than this is pinged before use (0: ping at every checkout).
    pool_ping_idle_seconds: float = attrs.field(default=10.0, validator=_at_least(0))
    #: How long opening a PostgreSQL connection may take.
    connect_timeout_seconds: float = attrs.field(default=10.0, validator=_at_least(1))
    #: A PostgreSQL server over TCP that stops answering (host down, network cut) is given
    #: up after about this long: keepalive probes after a third of it idle, and sent data
    #: left unacknowledged for all of it (libpq ``tcp_user_timeout``); 0: the OS defaults
    #: (many minutes). Unix sockets do not use it.
    tcp_dead_peer_seconds: float = attrs.field(default=60.0, validator=_at_least(0))
    #: PostgreSQL ``statement_timeout`` (0: no limit).
    statement_timeout_seconds: float = attrs.field(default=30.0, validator=_at_least(0))
    #: PostgreSQL ``lock_timeout``: how long a statement waits for a lock another session
    #: holds before DATABASE_ERROR (retryable); 0: no limit of its own, the statement
    #: timeout still bounds the wait.
    lock_timeout_seconds: float = attrs.field(default=0.0, validator=_at_least(0))
    #: How long a SQLite writer waits for the write lock before DATABASE_ERROR (retryable).
    sqlite_busy_timeout_seconds: float = attrs.field(default=10.0, validator=_at_least(0))
    #: Re-runs of a command (or an import batch) whose transaction PostgreSQL rolled back
    #: for a serialization failure or a deadlock; then DATABASE_ERROR (retryable).
    retry_attempts: int = attrs.field(default=3, validator=_at_least(0))
    #: First back-off before such a re-run; it doubles each time, with full jitter.
    retry_backoff_seconds: float = attrs.field(default=0.01, validator=_at_least(0))

    #: The largest document upload, in bytes, and the media types an upload may have.
    document_max_bytes: int = attrs.field(default=DEFAULT_MAX_BYTES, validator=_at_least(1))
    document_content_types: tuple[str, ...] = attrs.field(
        default=DEFAULT_CONTENT_TYPES, converter=tuple, validator=_check_content_types
    )
    #: Where document contents are kept: "files" (in ``document_directory``) or "memory"
    #: (this process only). Without a directory, memory:// uses a temporary directory
    #: removed at close.
    blob_store: str = attrs.field(default="files", validator=_check_blob_store)
    document_directory: str | None = attrs.field(
        default=None, validator=_of_type((str, type(None)), "a directory path or None")
    )

    def lead_id_format(self) -> LeadIdFormat:
        """Return the lead id format these settings describe (validated)."""
        return LeadIdFormat(self.lead_id_prefix, self.lead_id_width, self.lead_id_timezone)

    def document_limits(self) -> DocumentLimits:
        """Return the upload limits these settings describe (validated)."""
        return DocumentLimits(self.document_max_bytes, frozenset(self.document_content_types))
