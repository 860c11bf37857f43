"""The streaming CSV reader behind ``import``, in process (no store involved)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from leadcore import ErrorCode, LeadCoreError
from leadcore.adapters.cli.csv_import import LeadsCsv, file_rejections, write_rejects
from leadcore.domain.imports import RejectedRow


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8") -> LeadsCsv:
    """Return a LeadsCsv on a file holding ``text``."""
    path = tmp_path / "leads.csv"
    path.write_bytes(text.encode(encoding))
    return LeadsCsv(path)


def refusal_line(source: LeadsCsv) -> int:
    """Return the line number of the INVALID_INPUT that ``check()`` raises."""
    with pytest.raises(LeadCoreError) as caught:
        source.check()
    assert caught.value.code is ErrorCode.INVALID_INPUT
    return int(caught.value.context["line"])


def test_records_carry_their_first_line_and_ragged_ones_a_problem(tmp_path: Path) -> None:
    """A quoted line break moves later lines on; a short record names its cell counts."""
    source = csv_file(tmp_path, 'cin,company_name\nA,"two\nlines"\n\nB\nC,D\n')
    source.check()
    found = [(r.row_number, r.line, r.problem) for r in source.records()]
    assert found == [(1, 2, None), (2, 5, "has 1 cells where the header has 2"), (3, 6, None)]


def test_rows_skip_ragged_records_and_report_them(tmp_path: Path) -> None:
    """Only well-formed records reach the library; a ragged one becomes INVALID_INPUT on ``row``."""
    source = csv_file(tmp_path, "CIN , Company_Name\nA,B\nC\nD,E\n")
    source.check()
    skipped: list[RejectedRow] = []
    rows = list(source.rows(skipped, lambda _n: None))
    assert rows == [{"cin": "A", "company_name": "B"}, {"cin": "D", "company_name": "E"}]
    assert skipped == [RejectedRow(2, ErrorCode.INVALID_INPUT, {"row": skipped[0].fields["row"]})]
    assert skipped[0].fields["row"].startswith("line 3 ")


def test_library_row_numbers_are_moved_past_skipped_rows() -> None:
    """Rows 1, 2, 3 seen by the library are file rows 1, 3, 5 when rows 2 and 4 were skipped."""
    library = [RejectedRow(n, ErrorCode.DUPLICATE_CIN, {"cin": "x"}) for n in (1, 2, 3)]
    skipped = [RejectedRow(n, ErrorCode.INVALID_INPUT, {"row": "x"}) for n in (2, 4)]
    merged = [(r.row_number, r.code) for r in file_rejections(library, skipped)]
    assert merged == [
        (1, ErrorCode.DUPLICATE_CIN),
        (2, ErrorCode.INVALID_INPUT),
        (3, ErrorCode.DUPLICATE_CIN),
        (4, ErrorCode.INVALID_INPUT),
        (5, ErrorCode.DUPLICATE_CIN),
    ]


def test_the_rejects_file_copies_the_refused_records(tmp_path: Path) -> None:
    """The rejects file has the header, then row, line, code, fields, reasons and the cells."""
    source = csv_file(tmp_path, "cin,company_name\nA,B\nC,D\n")
    source.check()
    out = io.StringIO()
    write_rejects(source, [RejectedRow(2, ErrorCode.INVALID_INPUT, {"cin": "bad"})], out)
    assert out.getvalue().splitlines() == [
        "row,line,code,fields,reasons,cin,company_name",
        "2,3,INVALID_INPUT,cin,cin: bad,C,D",
    ]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    """A UTF-8 file saved with a BOM (as spreadsheets do) has the plain column names."""
    assert csv_file(tmp_path, "\ufeffcin,company_name\nA,B\n").check() == ["cin", "company_name"]


def test_bytes_that_are_not_utf8_are_refused_naming_their_line(tmp_path: Path) -> None:
    """A Latin-1 é on line 3 refuses the file at line 3."""
    source = csv_file(tmp_path, "cin,company_name\nA,B\nC,Société\n", encoding="latin-1")
    assert refusal_line(source) == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A,Acme Pvt Ltd\n",
        "cin,company_name,cin\n",
        "cin,city\n",
        "cin,company_name,\n",
    ],
    ids=["empty", "no header", "repeated", "missing company_name", "unnamed column"],
)
def test_a_file_without_a_proper_header_is_refused_at_line_1(tmp_path: Path, text: str) -> None:
    """Empty, headerless, repeated, missing or unnamed columns refuse the file at line 1."""
    assert refusal_line(csv_file(tmp_path, text)) == 1


def test_an_unknown_encoding_is_invalid_input(tmp_path: Path) -> None:
    """``--encoding nonsense`` is INVALID_INPUT naming ``encoding``."""
    with pytest.raises(LeadCoreError) as caught:
        LeadsCsv(tmp_path / "x.csv", "nonsense")
    assert set(caught.value.context["fields"]) == {"encoding"}
