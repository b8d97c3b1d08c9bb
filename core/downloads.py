"""Downloads: rows as a dated CSV or Excel file, safe to open in a spreadsheet program.

Every app's exports (deviation lists, knots, statistics, agendas) go through here, so the
protection against formulas in free text and the file naming are the same everywhere.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook


def export_csv(rows: Iterable[list[str]]) -> bytes:
    buffer = io.BytesIO()
    # Encoded as it is written (a large file is not held twice, as text and as bytes); the BOM
    # makes Excel open it as UTF-8.
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    for row in rows:
        writer.writerow([_safe_cell(value) for value in row])
    text.flush()
    content = buffer.getvalue()
    text.detach()
    return content


def export_xlsx(rows: Iterable[list[str]], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([_safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_file(rows: Iterable[list[str]], kind: str, name: str) -> tuple[bytes, str, str]:
    """Rows (the first the header) as a dated CSV or Excel file: (content, name, type)."""
    stamp = timezone.localdate().isoformat()
    if kind == "xlsx":
        content = export_xlsx(rows, title=name)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = export_csv(rows), "text/csv; charset=utf-8"
    return content, f"{name}-{stamp}.{kind}", content_type


def download_response(rows: Iterable[list[str]], kind: str, name: str) -> HttpResponse:
    content, filename, content_type = export_file(rows, kind, name)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
