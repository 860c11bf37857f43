"""``import`` and what follows it (rejects file, re-import, show, audit export), in a subprocess."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import attrs
import pytest

from tests.cli.conftest import ADMIN, REVIEWER, Cli

# Rows 1, 2 and 6 are good; 3 repeats row 1's CIN in lower case; 4 and 7 have bad CINs;
# 5 (on line 6) is ragged. Row 6 spans two lines (a quoted line break in its notes).
LEADS_CSV = """\
company_name,cin,city,notes
Acme Tools Pvt Ltd,U72900KA2015PTC000001,Pune,
Beta Pvt Ltd,U72900KA2015PTC000002,,
Acme Again,u72900ka2015ptc000001,Mumbai,same company
Gamma Pvt Ltd,NOT-A-CIN,Delhi,
Delta Pvt Ltd,U72900KA2015PTC000004
Epsilon Pvt Ltd,U72900KA2015PTC000005,Chennai,"two
lines"
Zeta Pvt Ltd,U72900KA2015PTC00000,Goa,
"""


@attrs.frozen
class Imported:
    """A database after one import of LEADS_CSV, and that import's result."""

    cli: Cli
    run: subprocess.CompletedProcess[str]
    source: Path
    rejects: Path


@pytest.fixture(scope="module")
def imported(ready: Cli) -> Imported:
    """Import LEADS_CSV as the reviewer into the shared database, once per module."""
    source = ready.directory / "leads.csv"
    source.write_text(LEADS_CSV, encoding="utf-8")
    rejects = ready.directory / "rejects.csv"
    run = ready.ok("import", "leads.csv", "--as", REVIEWER, "--rejects", "rejects.csv")
    return Imported(ready, run, source, rejects)


def test_import_prints_imported_and_rejected_counts_by_code(imported: Imported) -> None:
    """The summary says 3 imported, 4 rejected: DUPLICATE_CIN 1, INVALID_INPUT 3."""
    out = imported.run.stdout
    assert "imported 3 leads; rejected 4 rows" in out
    assert re.findall(r"^\s*([A-Z_]+)\s+(\d+)\s*$", out, re.MULTILINE) == [
        ("DUPLICATE_CIN", "1"),
        ("INVALID_INPUT", "3"),
    ]


def test_the_rejects_file_holds_row_code_fields_and_original_cells(imported: Imported) -> None:
    """Each refused row is in the rejects file with its row, line, code, fields and cells."""
    with imported.rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "row",
        "line",
        "code",
        "fields",
        "reasons",
        "company_name",
        "cin",
        "city",
        "notes",
    ]
    assert [row[:4] for row in rows[1:]] == [
        ["3", "4", "DUPLICATE_CIN", "cin"],
        ["4", "5", "INVALID_INPUT", "cin"],
        ["5", "6", "INVALID_INPUT", "row"],
        ["7", "9", "INVALID_INPUT", "cin"],
    ]
    assert rows[1][5:] == ["Acme Again", "u72900ka2015ptc000001", "Mumbai", "same company"]
    assert rows[3][5:] == ["Delta Pvt Ltd", "U72900KA2015PTC000004"]
    assert "line 6" in rows[3][4]


def test_importing_the_same_file_again_imports_nothing(imported: Imported) -> None:
    """A second import of the file imports 0 leads: every good row is a duplicate by then."""
    report = imported.cli.json("import", "leads.csv", "--as", REVIEWER)
    assert (report["imported"], report["rejected"]) == (0, 7)
    assert report["rejected_by_code"] == {"DUPLICATE_CIN": 4, "INVALID_INPUT": 3}


def test_leads_show_json_prints_the_lead_as_json(imported: Imported) -> None:
    """``leads show ID --json`` prints only JSON: the lead listed first, with its fields."""
    first = imported.cli.json("leads", "list", "--as", REVIEWER)["items"][0]
    shown = imported.cli.json("leads", "show", first["id"], "--as", REVIEWER)
    assert shown == first
    assert (shown["company_name"], shown["version"]) == ("Acme Tools Pvt Ltd", 1)


def test_audit_export_has_one_lead_created_entry_per_imported_lead(imported: Imported) -> None:
    """The exported trail (JSON lines) holds exactly one LEAD_CREATED for each of the 3 leads."""
    out = imported.cli.ok("audit", "export", "--as", ADMIN, "--format", "jsonl").stdout
    entries = [json.loads(line) for line in out.splitlines()]
    created = Counter(e["lead_id"] for e in entries if e["action"] == "LEAD_CREATED")
    assert len(created) == 3
    assert set(created.values()) == {1}


def test_a_refused_command_exits_1_with_its_code_on_stderr(imported: Imported) -> None:
    """A reviewer adding a user exits 1, prints the code and message, logs the outcome."""
    run = imported.cli(
        "--log-format", "json", "users", "add", "--as", REVIEWER,
        "--email", "x@example.in", "--name", "X", "--role", "ASSESSOR",
    )  # fmt: skip
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == "INSUFFICIENT_PERMISSIONS: You don't have permission for this action."
    events = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(e["command"], e["actor"], e["outcome"]) for e in events] == [
        ("users add", REVIEWER, "INSUFFICIENT_PERMISSIONS")
    ]
    assert run.stdout == ""


def test_a_csv_in_the_wrong_encoding_is_refused_naming_its_line(imported: Imported) -> None:
    """A Latin-1 file is refused (exit 1) naming line 3, with no traceback and no lead added."""
    latin = imported.source.with_name("latin.csv")
    latin.write_bytes(
        "company_name,cin\nA,U72900KA2015PTC000011\nSociété,U72900KA2015PTC000012\n".encode(
            "latin-1"
        )
    )
    before = imported.cli.json("leads", "list", "--as", REVIEWER)
    run = imported.cli("import", latin.name, "--as", REVIEWER)
    assert run.returncode == 1
    assert run.stderr.startswith("INVALID_INPUT:")
    assert "line 3" in run.stderr
    assert "Traceback" not in run.stderr
    assert imported.cli.json("leads", "list", "--as", REVIEWER) == before
