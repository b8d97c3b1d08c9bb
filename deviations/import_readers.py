"""Reading an uploaded .csv or .xlsx one row at a time, within fixed bounds (issue 14).

A worker must survive any file: a 50 MB CSV or a compressed-spreadsheet bomb may not raise its
memory by more than about 100 MB. So nothing here holds a whole file's rows: CSV is parsed line by
line from the stored bytes, with a ceiling on the size of one record and the number of columns;
an .xlsx is refused when its zip directory declares parts that are too large or too highly
compressed, and every part is read through a counter that stops at the declared size (a zip can
lie about it) and at a ceiling per sheet row. The workbook is read by openpyxl in read-only mode,
which streams the sheet; only its shared-string table is held, and that part is bounded.

`read_rows` checks the header at once (a clear message before any work); the rows are read again
from the start each time they are iterated, so the import can check every row first and write
them afterwards without keeping them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader

# The columns of an import file (docs/contracts.md §3).
COLUMNS = (
    "external_id",
    "occurred_on",
    "municipality",
    "unit",
    "description",
    "category",
    "consequence",
    "severity",
    "gender",
    "age_band",
    "tags",
)
REQUIRED = ("external_id", "occurred_on", "municipality", "description")
MAX_ROWS = 200_000
MAX_COLUMNS = 50
# One CSV record (a row, quoted line breaks included): the description's 20,000 characters
# quoted and in four-byte characters fit. Below the csv module's own field limit (131,072
# characters), so this clear message comes first.
MAX_RECORD_BYTES = 128 * 2**10
# An .xlsx (a zip of XML parts): what its directory may declare before anything is unpacked.
XLSX_MAX_SHEET_BYTES = 200 * 2**20  # a worksheet is streamed; this bounds the time it takes
XLSX_MAX_PART_BYTES = 20 * 2**20  # any other part (the shared strings) is read whole
XLSX_MAX_TOTAL_BYTES = 300 * 2**20
XLSX_MAX_RATIO = 100  # unpacked ÷ packed; spreadsheets XML packs 5–30 times, bombs 1,000
XLSX_RATIO_FROM_BYTES = 2**20  # small parts may pack as they like
XLSX_MAX_ROW_BYTES = 2**20  # the XML of one sheet row, cells included
# The shared-string table is held whole, and a short string costs some 60 bytes: its size in
# bytes alone would let 20 MB of tiny strings take 125 MB (300,000 of them take about 45 MB).
XLSX_MAX_SHARED_STRINGS = 300_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, too large, broken)."""


def read_rows(stream: IO[bytes], *, filename: str) -> ImportRows:
    """The rows of a .csv (UTF-8, comma) or .xlsx file as dicts of stripped strings. The stream
    must be seekable: each iteration reads it again from where it stands now."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _CsvRows(stream)
    if suffix == ".xlsx":
        return _XlsxRows(stream)
    raise ImportFileError(_("Only .csv and .xlsx files can be imported."))


class ImportRows:
    """A file's data rows; iterating reads them again from the file, one at a time."""

    header: list[str]

    def numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number as a spreadsheet shows it, the header being 1; the row's cells)."""
        rows, last = 0, 1  # data rows so far; the last row read, the header being 1
        try:
            for number, row in self._numbered():
                rows, last = rows + 1, number
                if rows > MAX_ROWS:
                    raise ImportFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
                yield number, row
        except (ImportFileError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - csv, zipfile, zlib and openpyxl raise many types
            # Reading is deterministic: running it again cannot get past the same place.
            raise ImportFileError(
                _("The file could not be read after row %(row)d; it may be damaged.")
                % {"row": last}
            ) from None

    def __iter__(self) -> Iterator[dict[str, str]]:
        for _number, row in self.numbered():
            yield row

    def count(self) -> int | None:
        """How many data rows there are, for a progress bar (None when not known cheaply)."""
        return None

    def _numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        raise NotImplementedError

    def _row(self, cells: Sequence[str]) -> dict[str, str]:
        return {name: cell for name, cell in zip(self.header, cells, strict=False) if name}


def _check_header(header: Sequence[str]) -> list[str]:
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(_("At most %(n)d columns per file.") % {"n": MAX_COLUMNS})
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportFileError(
            _("The header row lacks the column(s): %(names)s.") % {"names": ", ".join(missing)}
        )
    return names


# --- CSV ---------------------------------------------------------------------------------------


class _CsvRows(ImportRows):
    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._start = stream.tell()
        records = self._records()
        try:
            _line, header = next(records, (0, []))
        except (ImportFileError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - a broken first line
            raise ImportFileError(_("The file is not readable CSV.")) from None
        finally:
            records.close()
        self.header = _check_header(header)

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(record number, cells), never more than MAX_RECORD_BYTES or MAX_COLUMNS at a time."""
        self._stream.seek(self._start)
        used = 0  # bytes of the record being read

        def lines() -> Iterator[str]:
            nonlocal used
            offset, encoding = 0, "utf-8-sig"  # a BOM (Excel's "CSV UTF-8") is dropped
            while line := self._stream.readline(MAX_RECORD_BYTES + 1):
                used += len(line)
                if used > MAX_RECORD_BYTES:
                    raise ImportFileError(
                        _("Row %(row)d is longer than %(kb)d kB; is the file really CSV?")
                        % {"row": number + 1, "kb": MAX_RECORD_BYTES // 2**10}
                    )
                try:
                    # A line break byte never occurs inside a UTF-8 character, so lines can
                    # be decoded one by one.
                    yield line.decode(encoding)
                except UnicodeDecodeError as error:
                    raise ImportFileError(
                        _("The file is not UTF-8 text (byte %(position)d).")
                        % {"position": offset + error.start}
                    ) from None
                offset, encoding = offset + len(line), "utf-8"

        number = 0  # the record being read, for the messages of lines()
        for number, cells in enumerate(csv.reader(lines()), start=1):  # noqa: B007
            used = 0
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(_too_wide(number))
            yield number, cells

    def _numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        records = self._records()
        next(records, None)  # the header
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines
            yield number, self._row([cell.strip() for cell in cells])

    def count(self) -> int:
        return sum(1 for _row in self.numbered())


# --- Excel -------------------------------------------------------------------------------------


_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_STRING_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


class _CountedPart(io.RawIOBase):
    """One zip part, stopped as soon as it yields more than its directory entry declared; in a
    worksheet also when one row's XML (from one `<row` to the next) grows past its ceiling, as
    a single row is built whole in memory (openpyxl reads rows, and its size check reads the
    whole sheet when the sheet has no size record); in the shared-string table when it holds
    more strings than XLSX_MAX_SHARED_STRINGS."""

    def __init__(self, raw: IO[bytes], *, limit: int, kind: str = "") -> None:
        self._raw, self._limit, self._kind = raw, limit, kind
        self.count = 0
        self._row = 0  # bytes since the last row began
        self._strings = 0
        self._tail = b""  # a tag may straddle two reads

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        if self.count > self._limit:
            raise ImportFileError(_("The workbook is damaged: a part is larger than it says."))
        if self._kind == "sheet":
            self._charge(data)
        elif self._kind == "strings":
            self._count_strings(data)
        return size

    def _count_strings(self, data: bytes) -> None:
        seen = self._tail + data
        self._strings += len(_STRING_START.findall(seen)) - len(_STRING_START.findall(self._tail))
        self._tail = seen[-32:]
        if self._strings > XLSX_MAX_SHARED_STRINGS:
            raise ImportFileError(
                _(
                    "The workbook holds more than %(n)d different texts, more than this import "
                    "reads. Save it as CSV, or split it."
                )
                % {"n": XLSX_MAX_SHARED_STRINGS}
            )

    def _charge(self, data: bytes) -> None:
        seen = self._tail + data
        last = None
        for last in _ROW_START.finditer(seen):  # noqa: B007 - the last one counts
            pass
        self._row = len(seen) - last.start() if last else self._row + len(data)
        self._tail = seen[-32:]
        if self._row > XLSX_MAX_ROW_BYTES:
            raise ImportFileError(
                _("A row of the sheet is larger than %(mb)d MB; nothing was imported.")
                % {"mb": XLSX_MAX_ROW_BYTES // 2**20}
            )

    def close(self) -> None:
        self._raw.close()
        super().close()


class _GuardedZip(zipfile.ZipFile):
    """A zip whose parts are read through `_CountedPart`; openpyxl reads every part through
    `open` (also `read`, which calls it)."""

    def open(self, name: Any, mode: str = "r", pwd: bytes | None = None, **kw: Any) -> Any:
        part = super().open(name, mode, pwd, **kw)
        if mode != "r":
            return part
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return io.BufferedReader(
            _CountedPart(part, limit=info.file_size, kind=_part_kind(info.filename)),
            buffer_size=16 * 2**10,
        )


def _part_kind(name: str) -> str:
    if _is_sheet(name):
        return "sheet"
    return "strings" if name.lower().endswith("sharedstrings.xml") else ""


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse a bomb from its directory, before anything is unpacked."""
    total = 0
    for info in archive.infolist():
        limit = XLSX_MAX_SHEET_BYTES if _is_sheet(info.filename) else XLSX_MAX_PART_BYTES
        total += info.file_size
        too_packed = (
            info.file_size > XLSX_RATIO_FROM_BYTES
            and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1)
        )
        if info.file_size > limit or total > XLSX_MAX_TOTAL_BYTES or too_packed:
            raise ImportFileError(
                _(
                    "The workbook unpacks to more than this import reads (%(mb)d MB of text, "
                    "at most %(ratio)d times its packed size). Save it as CSV, or split it."
                )
                % {"mb": XLSX_MAX_TOTAL_BYTES // 2**20, "ratio": XLSX_MAX_RATIO}
            )


class _XlsxRows(ImportRows):
    def __init__(self, stream: IO[bytes]) -> None:
        unreadable = _("The file is not a readable Excel (.xlsx) workbook.")
        try:
            archive = _GuardedZip(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise ImportFileError(unreadable) from None
        _check_zip(archive)
        try:
            # load_workbook(), with the guarded zip in place of the one it would open.
            reader = ExcelReader(stream, read_only=True, data_only=True)
            reader.archive.close()
            reader.archive, reader.valid_files = archive, archive.namelist()
            reader.read()
            self._sheet = reader.wb.worksheets[0]
            self._rows = self._dimension_rows()
            # Read every row there is: the record may be wrong in both directions (openpyxl
            # would stop at it, or pad to it).
            self._sheet.reset_dimensions()
            header_cells = next(self._cells(), ())
        except (ImportFileError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - openpyxl raises many types for a broken file
            raise ImportFileError(unreadable) from None
        header = [_cell_text(cell) for cell in header_cells]  # MAX_COLUMNS + 1 at most
        while header and not header[-1]:
            header.pop()
        self.header = _check_header(header)

    def _dimension_rows(self) -> int | None:
        """The sheet's own record of its size, if it has a readable one (a progress bar's
        total, nothing more)."""
        try:
            rows = self._sheet.max_row
        except Exception:  # noqa: BLE001 - a broken sheet is reported when its rows are read
            return None
        return min(rows - 1, MAX_ROWS) if rows else None

    def _cells(self) -> Iterator[tuple[Any, ...]]:
        # Both bounds given: openpyxl would otherwise read the sheet's size record again.
        bounds = {"max_col": MAX_COLUMNS + 1, "max_row": MAX_ROWS + 2}
        yield from self._sheet.iter_rows(values_only=True, **bounds)

    def _numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        rows = self._cells()
        next(rows, None)  # the header
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:  # blank rows too: a sheet can claim a million of them
                raise ImportFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
            if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] is not None:
                raise ImportFileError(_too_wide(number))
            cells = [_cell_text(value) for value in values[:MAX_COLUMNS]]
            if any(cells):
                yield number, self._row(cells)

    def count(self) -> int | None:
        """From the sheet's dimension record: reading the sheet twice would double the time."""
        return self._rows


def _too_wide(row: int) -> str:
    return _("Row %(row)d has more than %(n)d columns.") % {"row": row, "n": MAX_COLUMNS}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
