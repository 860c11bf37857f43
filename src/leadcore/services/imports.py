"""Bulk import: stream rows, validate each, number the accepted ones by blocks, write in batches."""

from __future__ import annotations

import itertools
import logging
import sys
from collections.abc import Iterable, Iterator

from leadcore.domain import errors
from leadcore.domain.audit import AuditAction, AuditEntry, lead_entry
from leadcore.domain.errors import ErrorCode, LeadCoreError
from leadcore.domain.imports import ImportReport, ImportRow, RejectedRow, parse_row
from leadcore.domain.lead_ids import LeadIdFormat
from leadcore.domain.leads import Lead, LeadDraft
from leadcore.domain.users import Permission, Role, User
from leadcore.ports.rate_limits import ActionClass, RateLimiter
from leadcore.ports.system import Clock, IdGenerator
from leadcore.ports.unit_of_work import Intent, UnitOfWork, UnitOfWorkFactory
from leadcore.services.access import load_actor
from leadcore.services.commands import rerun_on_conflict

log = logging.getLogger("leadcore.services.imports")

# A batch that lost a race for a CIN or an id with a concurrent writer is re-checked this often.
BATCH_ATTEMPTS = 3


class LeadImporter:
    """Imports leads in batches; each batch is one transaction with its own number block."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        id_format: LeadIdFormat,
        limiter: RateLimiter,
        batch_size: int,
    ) -> None:
        self._limiter = limiter
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._format = id_format
        self._batch_size = batch_size

    def import_rows(
        self, actor_id: object, rows: Iterable[object], batch_size: int | None = None
    ) -> ImportReport:
        """Import ``rows``; return how many leads were added and which rows were refused."""
        size = self._batch_size if batch_size is None else _positive(batch_size)
        with self._uow(Intent.READ) as uow:
            actor = load_actor(uow, actor_id, Permission.WRITE_LEADS)
        if actor.role is not Role.ADMIN:  # an admin's bulk load is never throttled
            self._limiter.acquire(actor.id, ActionClass.IMPORT)
        imported = 0
        rejected: list[RejectedRow] = []
        numbered = enumerate(_iterate(rows), start=1)
        while batch := list(itertools.islice(numbered, size)):
            imported += self._import_batch(actor_id, batch, rejected)
        return ImportReport(imported=imported, rejected=rejected)

    def rebuild_counters(self, actor_id: object) -> dict[int, int]:
        """Raise each year's counter to the highest number in use; return {year: highest}."""
        with self._uow(Intent.WRITE) as uow:
            load_actor(uow, actor_id, Permission.REBUILD_COUNTERS)
            highest = dict(uow.leads.highest_numbers(self._format.prefix))
            for year, number in sorted(highest.items()):  # one lock order for every writer
                uow.sequences.raise_to(self._format.counter_name(year), number)
            uow.commit()
        return highest

    def _import_batch(
        self, actor_id: object, batch: list[tuple[int, object]], rejected: list[RejectedRow]
    ) -> int:
        """Write one batch in one transaction (re-run if a conflict rolls it back)."""
        accepted, refused = rerun_on_conflict(self._uow, lambda: self._write_batch(actor_id, batch))
        rejected.extend(refused)
        return len(accepted)

    def _write_batch(
        self, actor_id: object, batch: list[tuple[int, object]]
    ) -> tuple[list[ImportRow], list[RejectedRow]]:
        """Screen and write one batch; screen it again if a concurrent writer took a CIN."""
        attempt = 1
        while True:
            with self._uow(Intent.WRITE) as uow:
                actor = load_actor(uow, actor_id, Permission.WRITE_LEADS)
                accepted, refused = self._screen(uow, actor, batch)
                try:
                    self._write(uow, actor, accepted)
                except LeadCoreError as exc:
                    duplicate = exc.code in (ErrorCode.DUPLICATE_CIN, ErrorCode.DUPLICATE_RESOURCE)
                    if not duplicate or attempt == BATCH_ATTEMPTS:
                        raise
                    log.info("import batch lost a race (%s); checking it again", exc.code)
                    attempt += 1
                    continue
                uow.commit()
                return accepted, refused

    def _screen(
        self, uow: UnitOfWork, actor: User, batch: list[tuple[int, object]]
    ) -> tuple[list[ImportRow], list[RejectedRow]]:
        """Split a batch into rows to write and rows refused (bad, not allowed, duplicate)."""
        may_carry_ids = actor.may(Permission.IMPORT_LEGACY_IDS)
        valid: list[ImportRow] = []
        refused: list[RejectedRow] = []
        for row_number, raw in batch:
            try:
                row = parse_row(row_number, raw, self._format)
            except LeadCoreError as exc:
                refused.append(RejectedRow(row_number, exc.code, exc.context.get("fields", {})))
                continue
            if row.legacy_id is not None and not may_carry_ids:
                refused.append(
                    RejectedRow(
                        row_number,
                        ErrorCode.INSUFFICIENT_PERMISSIONS,
                        {"id": "only an ADMIN may import leads with ids"},
                    )
                )
                continue
            valid.append(row)
        taken_cins = uow.leads.existing_cins({str(r.fields["cin"]) for r in valid})
        taken_ids = uow.leads.existing_ids({r.legacy_id for r in valid if r.legacy_id})
        accepted: list[ImportRow] = []
        for row in valid:
            cin = str(row.fields["cin"])
            if cin in taken_cins:
                refused.append(
                    RejectedRow(
                        row.row_number, ErrorCode.DUPLICATE_CIN, {"cin": "is already taken"}
                    )
                )
            elif row.legacy_id is not None and row.legacy_id in taken_ids:
                refused.append(
                    RejectedRow(
                        row.row_number, ErrorCode.DUPLICATE_RESOURCE, {"id": "is already taken"}
                    )
                )
            else:
                taken_cins.add(cin)
                if row.legacy_id is not None:
                    taken_ids.add(row.legacy_id)
                accepted.append(row)
        refused.sort(key=lambda r: r.row_number)
        return accepted, refused

    def _write(self, uow: UnitOfWork, actor: User, rows: list[ImportRow]) -> None:
        """Number the fresh rows with one block, raise counters past legacy ids, write all."""
        if not rows:
            return
        now = self._clock.now()
        # Counters rise past the legacy ids first, so that the fresh rows of this very
        # batch are numbered after them and never onto one of them.
        highest: dict[int, int] = {}
        for row in rows:
            if row.legacy_number is not None:
                year, number = row.legacy_number
                highest[year] = max(highest.get(year, 0), number)
        for year, number in sorted(highest.items()):  # one lock order for every writer
            uow.sequences.raise_to(self._format.counter_name(year), number)
        fresh = [r for r in rows if r.legacy_id is None]
        numbers: Iterator[int] = iter(())
        numbering = self._format.numbering(now)
        if fresh:
            numbers = iter(uow.sequences.reserve(numbering.counter, len(fresh)))
        leads: list[Lead] = []
        entries: list[AuditEntry] = []
        new_id = self._ids.new_id  # once per batch, not per row: this loop is the hot path
        created = AuditAction.LEAD_CREATED
        for row in rows:
            if row.legacy_id is not None:
                lead_id = row.legacy_id
            else:
                lead_id = numbering.format(next(numbers))
            draft = LeadDraft(
                fields=row.fields, created_by=actor.id, created_at=row.created_at or now
            )
            leads.append(draft.to_lead(lead_id))
            entries.append(
                lead_entry(new_id(), now, actor.id, created, lead_id, {}, draft.audit_values())
            )
        uow.leads.insert_many(leads, entries)


def _iterate(rows: object) -> Iterator[object]:
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise errors.invalid_field("rows", "must be an iterable of mappings")
    return iter(rows)


def _positive(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise errors.invalid_field("batch_size", "must be a positive integer")
    # islice takes at most sys.maxsize; any batch that large already holds every row.
    return min(value, sys.maxsize)
