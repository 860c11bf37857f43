"""Writing the audit trail out, as JSON lines or CSV, a page's worth flushed at a time."""

from __future__ import annotations

import csv
import enum
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

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
