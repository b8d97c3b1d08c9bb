"""Reading an import file within bounds (issue 14): rows stream, bombs are refused before they
unpack, and a part that lies about its size is stopped while it is read. Small inputs prove it
here; benchmarks/imports.py measures a worker's memory on a 50 MB CSV and a real bomb."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from collections.abc import Iterator

import pytest
from django.utils import translation
from openpyxl import Workbook

from deviations import import_readers
from deviations.import_readers import ImportFileError, read_rows

HEADER = "external_id,occurred_on,municipality,unit,description\n"
LINE = "x-{n},2024-03-01,Täby,MIA Täby,FK drog in sjukpenningen vid dag 180 och Af kräver mer.\n"
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are matched in their English source text."""
    with translation.override("en"):
        yield


def _csv(rows: int) -> bytes:
    return (HEADER + "".join(LINE.format(n=n) for n in range(rows))).encode()


def test_csv_rows_stream_without_holding_the_file() -> None:
    data = _csv(50_000)  # about 5 MB
    assert len(data) > 4 * 2**20
    tracemalloc.start()
    try:
        rows = read_rows(io.BytesIO(data), filename="a.csv")
        assert rows.count() == 50_000
        last = max(number for number, _row in rows.numbered())  # again, one by one
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert last == 50_001
    assert peak < 200 * 2**10, peak  # a few rows at a time, never the file


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    data = (
        HEADER + LINE.format(n=1) + "\n" + 'x-2,2024-03-01,Täby,,"två\nrader"\n' + LINE.format(n=3)
    )
    rows = read_rows(io.BytesIO(data.encode()), filename="a.csv")
    assert [(number, row["external_id"]) for number, row in rows.numbered()] == [
        (2, "x-1"),
        (4, "x-2"),
        (5, "x-3"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (HEADER + "x," * 60 + "\n", "more than 50 columns"),
        (",".join(f"c{n}" for n in range(60)) + "\n", "Row 1 has more than 50 columns"),
        (HEADER + 'x-1,2024-03-01,Täby,,"' + "a" * 300_000 + '"\n', "Row 2 is longer than"),
        # a quoted field that never ends cannot swallow the file either
        (HEADER + 'x-1,2024-03-01,Täby,,"' + "a\n" * 200_000, "longer than"),
    ],
)
def test_csv_records_and_columns_are_bounded(data: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        list(read_rows(io.BytesIO(data.encode()), filename="a.csv"))


def test_a_decoding_error_late_in_the_file_names_its_byte() -> None:
    data = _csv(3) + b"x-9,2024-03-01,T\xe4by,,text\n"
    rows = read_rows(io.BytesIO(data), filename="a.csv")
    with pytest.raises(ImportFileError, match=f"byte {len(_csv(3)) + 16}"):
        list(rows)


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_readers, "MAX_ROWS", 10)
    with pytest.raises(ImportFileError, match="At most 10 rows"):
        list(read_rows(io.BytesIO(_csv(11)), filename="a.csv"))
    assert len(list(read_rows(io.BytesIO(_csv(10)), filename="a.csv"))) == 10


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_sheet(xlsx: bytes, write_sheet: object) -> bytes:
    """The workbook with its sheet replaced by what write_sheet(file) writes."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename == SHEET:
                with archive.open(SHEET, "w") as sheet:
                    write_sheet(sheet)  # type: ignore[operator]
            else:
                archive.writestr(info, source.read(info.filename))
    return out.getvalue()


def _bomb_sheet(size: int) -> object:
    def write(sheet: io.BufferedWriter) -> None:
        sheet.write(
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>external_id</t></is></c></row>'
        )
        cell = b'<row><c t="inlineStr"><is><t>' + b"a" * 1000 + b"</t></is></c></row>"
        block = cell * 1000
        for _ in range(size // len(block)):
            sheet.write(block)
        sheet.write(b"</sheetData></worksheet>")

    return write


def test_a_spreadsheet_bomb_is_refused_from_its_directory_before_it_unpacks() -> None:
    bomb = _with_sheet(_workbook([["external_id"]]), _bomb_sheet(64 * 2**20))
    assert len(bomb) < 400 * 2**10  # 64 MB of XML packed
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="unpacks to more than"):
            read_rows(io.BytesIO(bomb), filename="b.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, peak  # nothing was unpacked


def _lying(xlsx: bytes, name: str, size: int) -> bytes:
    """The zip with `name` declaring `size` unpacked bytes in its directory and local header."""
    data = bytearray(xlsx)
    encoded = name.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + length]) == encoded:
            struct.pack_into("<I", data, at + 24, size)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        at += 4
    return bytes(data)


def test_a_part_that_lies_about_its_size_is_stopped_while_it_is_read() -> None:
    honest = _with_sheet(_workbook([["external_id"]]), _bomb_sheet(8 * 2**20))
    lying = _lying(honest, SHEET, 4_000)  # declares 4 kB: no ratio to see
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError):
            list(read_rows(io.BytesIO(lying), filename="b.xlsx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, peak


def test_a_counted_part_stops_at_its_declared_size() -> None:
    part = import_readers._CountedPart(io.BytesIO(b"x" * 5000), limit=4000)
    with pytest.raises(ImportFileError, match="larger than it says"):
        part.read()


def test_one_sheet_row_may_not_take_more_than_its_share(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_readers, "XLSX_MAX_ROW_BYTES", 64 * 2**10)
    big = "a" * 20_000
    header = ["external_id", "occurred_on", "municipality", "description"]
    xlsx = _workbook([header, ["x-1", "", "", "kort"], ["x-2", *[big] * 10]])
    rows = read_rows(io.BytesIO(xlsx), filename="a.xlsx")
    with pytest.raises(ImportFileError, match="A row of the sheet is larger"):
        list(rows)


def test_xlsx_columns_and_blank_rows_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    wide = _workbook([["external_id", "occurred_on", "municipality", "description"], ["x"] * 52])
    with pytest.raises(ImportFileError, match="Row 2 has more than 50 columns"):
        list(read_rows(io.BytesIO(wide), filename="a.xlsx"))
    monkeypatch.setattr(import_readers, "MAX_ROWS", 10)
    header = ["external_id", "occurred_on", "municipality", "description"]
    far = _workbook([header] + [[None]] * 20 + [["x-1", "2024-01-01", "Täby", "text"]])
    with pytest.raises(ImportFileError, match="At most 10 rows"):
        list(read_rows(io.BytesIO(far), filename="a.xlsx"))


def test_a_workbook_broken_after_its_header_is_a_clear_refusal() -> None:
    xlsx = _with_sheet(
        _workbook([["x"]]),
        lambda sheet: sheet.write(
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<dimension ref="A1:D3"/>'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>external_id</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>occurred_on</t></is></c>'
            b'<c r="C1" t="inlineStr"><is><t>municipality</t></is></c>'
            b'<c r="D1" t="inlineStr"><is><t>description</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>x-1</t></is></c></row><row r="3"><c'
        ),
    )
    rows = read_rows(io.BytesIO(xlsx), filename="a.xlsx")
    with pytest.raises(ImportFileError, match="could not be read after row 2"):
        list(rows)


def test_the_shared_string_table_is_counted_while_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It is held whole, and many tiny strings cost far more than their bytes."""
    monkeypatch.setattr(import_readers, "XLSX_MAX_SHARED_STRINGS", 1000)
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(1001))
    part = import_readers._CountedPart(io.BytesIO(strings), limit=len(strings), kind="strings")
    with pytest.raises(ImportFileError, match="more than 1000 different texts"):
        _drain(part)  # in reads of 7 bytes: tags split across reads are counted once
    fewer = strings[: strings.index(b"<si><t>1000<")]
    _drain(import_readers._CountedPart(io.BytesIO(fewer), limit=len(fewer), kind="strings"))


def _drain(part: io.RawIOBase) -> None:
    while part.read(7):
        pass
