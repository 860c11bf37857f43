"""Reading a leads CSV as a stream, and writing the rows an import refused.

The file is never loaded whole: it is checked once for its encoding and header (a
problem there refuses the command before anything is written), then read record by
record into ``import_rows``. A ragged record (more or fewer cells than the header) or one
the csv module cannot parse becomes a rejected row naming its line; the library never
sees it, and the row numbers of the library's report are mapped back to the file's.
Afterwards the file is read once more to copy each refused record into the rejects file.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import attrs

from leadcore.domain import errors
from leadcore.domain.errors import ErrorCode, LeadCoreError
from leadcore.domain.imports import LEGACY_FIELDS, RejectedRow
from leadcore.domain.leads import EDITABLE_FIELDS, REQUIRED_FIELDS

COLUMNS: tuple[str, ...] = (*EDITABLE_FIELDS, *LEGACY_FIELDS)
REJECTS_HEADER: tuple[str, ...] = ("row", "line", "code", "fields", "reasons")


@attrs.frozen
class Record:
    """One data record of the file: its 1-based row number, first line, and cells."""

    row_number: int
    line: int
    cells: list[str]
    problem: str | None = None


class LeadsCsv:
    """A leads CSV on disk: a header naming lead fields, then one lead per record."""

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = _codec_name(encoding)
        self.encoding_name = encoding
        self.header: list[str] = []
        self._binary: io.BufferedReader | None = None

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return self.path.stat().st_size

    def position(self) -> int:
        """Return roughly how many bytes the current read has consumed."""
        return 0 if self._binary is None or self._binary.closed else self._binary.tell()

    def check(self) -> list[str]:
        """Check the encoding of every line and the header; return the column names.

        A problem refuses the import with INVALID_INPUT naming the line, before any
        row is written.
        """
        self._check_encoding()
        with self._open() as text:
            reader = csv.reader(text)
            try:
                header = next(reader, None)
            except csv.Error as exc:
                raise self._refusal(1, f"cannot be read as a CSV header ({exc})") from None
        self.header = self._check_header(header)
        return self.header

    def records(self) -> Iterator[Record]:
        """Yield every data record in order, blank lines skipped; ragged ones carry a problem."""
        if not self.header:
            self.check()
        width = len(self.header)
        with self._open() as text:
            reader = csv.reader(text)
            try:
                next(reader)  # the header, checked already
                row_number = 0
                while True:
                    line = reader.line_num + 1
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as exc:
                        row_number += 1
                        yield Record(row_number, line, [], _csv_problem(exc))
                        continue
                    if not cells:
                        continue
                    row_number += 1
                    problem = None
                    if len(cells) != width:
                        problem = f"has {len(cells)} cells where the header has {width}"
                    yield Record(row_number, line, cells, problem)
            except UnicodeDecodeError as exc:  # the file changed since check()
                raise self._refusal(reader.line_num + 1, _decode_problem(exc, self)) from None

    def rows(
        self, skipped: list[RejectedRow], progress: Callable[[int], None]
    ) -> Iterator[dict[str, str]]:
        """Yield each well-formed record as a mapping for ``import_rows``.

        Ragged or unreadable records are not yielded but appended to ``skipped`` as
        INVALID_INPUT naming the row; ``progress`` is told the row count now and then.
        """
        for record in self.records():
            if record.row_number % 512 == 0:
                progress(record.row_number)
            if record.problem is not None:
                reason = f"line {record.line} {record.problem}"
                skipped.append(
                    RejectedRow(record.row_number, ErrorCode.INVALID_INPUT, {"row": reason})
                )
                continue
            yield dict(zip(self.header, record.cells, strict=True))

    def _open(self) -> TextIO:
        self._binary = open(self.path, "rb")  # noqa: SIM115  # closed with the text wrapper
        return io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")

    def _check_encoding(self) -> None:
        """Decode the file line by line (a multi-byte character never holds a newline byte)."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        number = 0
        with open(self.path, "rb") as binary:
            for number, line in enumerate(binary, start=1):
                try:
                    decoder.decode(line)
                except UnicodeDecodeError as exc:
                    raise self._refusal(number, _decode_problem(exc, self)) from None
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise self._refusal(max(number, 1), _decode_problem(exc, self)) from None

    def _check_header(self, header: Sequence[str] | None) -> list[str]:
        if not header or not any(cell.strip() for cell in header):
            raise self._refusal(
                1, "is not a header; the first line must name the columns, such as cin,company_name"
            )
        names = [cell.strip().lower() for cell in header]
        unknown = [name or "(empty)" for name in names if name not in COLUMNS]
        if unknown:
            raise self._refusal(
                1,
                f"is not a header naming lead fields: unknown columns ({', '.join(unknown)}); "
                f"the first line must name the columns, from: {', '.join(COLUMNS)}",
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise self._refusal(1, f"repeats columns in the header ({', '.join(repeated)})")
        missing = sorted(REQUIRED_FIELDS - set(names))
        if missing:
            raise self._refusal(
                1, f"is a header without the required columns ({', '.join(missing)})"
            )
        return names

    def _refusal(self, line: int, reason: str) -> LeadCoreError:
        return LeadCoreError(
            ErrorCode.INVALID_INPUT,
            f"{self.path.name} line {line} {reason}",
            {"fields": {"file": f"{self.path.name} line {line} {reason}"}, "line": line},
        )


def file_rejections(
    library: Sequence[RejectedRow], skipped: Sequence[RejectedRow]
) -> list[RejectedRow]:
    """Merge the library's rejections (numbered among the rows it saw) with the skipped rows.

    ``import_rows`` numbered only the rows it was given; each of its row numbers is moved
    up past the skipped records that came before it, so every number is the file's.
    """
    skipped_numbers = [r.row_number for r in skipped]
    moved: list[RejectedRow] = []
    passed = 0
    for rejected in library:
        number = rejected.row_number + passed
        while passed < len(skipped_numbers) and skipped_numbers[passed] <= number:
            passed += 1
            number += 1
        moved.append(rejected._replace(row_number=number))
    return sorted([*moved, *skipped], key=lambda r: r.row_number)


def write_rejects(source: LeadsCsv, rejected: Sequence[RejectedRow], out: TextIO) -> int:
    """Write each refused record (row, line, code, fields at fault, original cells) to ``out``.

    Reads the source once more, so memory holds only the rejections; returns the count.
    """
    writer = csv.writer(out)
    writer.writerow([*REJECTS_HEADER, *source.header])
    by_row: Mapping[int, RejectedRow] = {r.row_number: r for r in rejected}
    written = 0
    if not by_row:
        return written
    for record in source.records():
        found = by_row.get(record.row_number)
        if found is None:
            continue
        fields = dict(found.fields)
        reasons = "; ".join(f"{name}: {reason}" for name, reason in fields.items())
        writer.writerow(
            [
                record.row_number,
                record.line,
                found.code.value,
                ";".join(fields),
                reasons,
                *record.cells,
            ]
        )
        written += 1
    return written


def _csv_problem(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return (
            f"starts a cell longer than {csv.field_size_limit()} characters "
            "(a quote that is never closed?); the lines it swallowed were not imported"
        )
    return f"cannot be read as CSV ({exc})"


def _decode_problem(exc: UnicodeDecodeError, source: LeadsCsv) -> str:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return (
        f"has byte 0x{byte} at column {exc.start + 1}, which is not valid {source.encoding_name}; "
        "save the file as UTF-8 or name its encoding with --encoding"
    )


def _codec_name(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise errors.invalid_field("encoding", f"{encoding!r} is not a known encoding") from None
    # A byte-order mark at the start of a UTF-8 file (as Excel writes it) is not data.
    return "utf-8-sig" if name == "utf-8" else name
