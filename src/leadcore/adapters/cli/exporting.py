"""Streaming the audit trail out, page by page, as JSON lines or CSV."""

from __future__ import annotations

import csv
import enum
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

from leadcore.bootstrap import LeadCore
from leadcore.domain.audit import AuditEntry

PAGE_SIZE = 1000
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "actor_id",
    "action",
    "lead_id",
    "entity_type",
    "entity_id",
    "old",
    "new",
)


class ExportFormat(enum.StrEnum):
    """How exported audit entries are written."""

    JSONL = "jsonl"
    CSV = "csv"


def audit_entries(
    core: LeadCore,
    actor_id: str,
    *,
    lead_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
) -> Iterator[AuditEntry]:
    """Yield the audit trail oldest first, one page in memory at a time."""
    after: str | None = None
    while True:
        page = core.audit.list(
            actor_id, action=action, lead_id=lead_id, limit=PAGE_SIZE, after=after
        )
        for entry in page.items:
            if since is None or entry.at >= since:
                yield entry
        if page.next_cursor is None:
            return
        after = page.next_cursor


def write_entries(entries: Iterator[AuditEntry], out: TextIO, fmt: ExportFormat) -> int:
    """Write ``entries`` to ``out`` in ``fmt``, flushing each page's worth; return the count."""
    count = 0
    writer = csv.writer(out) if fmt is ExportFormat.CSV else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    for entry in entries:
        data = entry.to_dict()
        if writer is None:
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
        else:
            writer.writerow([_cell(data[column]) for column in CSV_COLUMNS])
        count += 1
        if count % PAGE_SIZE == 0:
            out.flush()
    out.flush()
    return count


def parse_since(value: str) -> datetime:
    """Return the instant ``value`` names: an ISO date (midnight UTC) or date and time.

    A time without a zone is taken as UTC. Raises ValueError for anything else.
    """
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
