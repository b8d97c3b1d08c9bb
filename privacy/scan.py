"""What an older version stored: find personal data in every table, and take it out in place.

The gate stops new writes; a site that ran Knutpunkt before the gate may hold personal data in
any text, JSON or file column, and in the audit history, which copies every row. The scanner
finds the models in the app registry (history tables and the jobs' stored files included), so it
names no app above `privacy` and a new table is scanned without anyone remembering it. Files
kept on disk (attachments, core.attachments) are read through their storage, with the same
text extraction that checked them on the way in. It reads
only the primary key and the text columns, in chunks, and reports where (table, column, row),
never what. Only blocking findings count, as in the gate; possible names are warnings on request.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from core.attachments import file_text, office_kind
from core.errors import DomainError
from privacy.mask import pii_mask, pii_mask_json
from privacy.pii import find_pii

#: A stored file the scanner could not read (broken, encrypted, binary): it may hold anything.
UNREADABLE = "unreadable"
CHUNK_ROWS = 2000
FILE_BLOCK_LINES = 2000

# Columns the scanner leaves alone, "app.Model" or "app.Model.field", with the reason. Only
# values that are not text (secrets, hashes, encoded state) or that hold personal data by design.
# Not the gate's exemptions: the gate skips tables whose write path is checked elsewhere (the
# jobs, written with update()), and those are exactly what the scanner must read.
SCAN_EXEMPT: dict[str, str] = {
    settings.AUTH_USER_MODEL: "the staff accounts: their own names, work e-mail, password hash",
    "sessions.Session": "random keys and signed, encoded session state; sessions expire",
    "authtoken.Token": "random secrets, not text",
    "knox.AuthToken": "digests of API tokens, not text",
    "axes.AccessAttempt": "sign-in attempts: the name typed at sign-in, kept for the lock-out",
    "axes.AccessFailureLog": "sign-in attempts: the name typed at sign-in, kept for the lock-out",
    "axes.AccessLog": "sign-ins: the account's name, kept for the lock-out",
    "core.Attachment.sha256": "a digest of the attached file's bytes, not text",
    "core.TableStamp": "the names of the project's tables, written by the database's triggers",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """Where personal data of one kind sits, and how often: never the value."""

    table: str
    column: str
    row: str
    kind: str  # a PiiType, or UNREADABLE
    count: int
    file: bool = False  # in a stored file: --redact drops the file


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)  # possible names, when asked for
    remaining: list[Finding] = field(default_factory=list)  # after --redact
    redacted: int = 0  # text and JSON cells rewritten
    dropped: int = 0  # stored files removed
    failed: dict[str, str] = field(default_factory=dict)  # table rolled back: the error's class

    @staticmethod
    def by_kind(findings: list[Finding]) -> Counter[str]:
        """Findings counted by kind (a cell with two numbers counts two)."""
        counts: Counter[str] = Counter()
        for finding in findings:
            counts[finding.kind] += finding.count
        return counts


@dataclass(frozen=True)
class _Columns:
    text: list[models.Field[Any, Any]]
    json: list[models.Field[Any, Any]]
    files: list[models.Field[Any, Any]]

    @property
    def all(self) -> list[models.Field[Any, Any]]:
        return [*self.text, *self.json, *self.files]


def _exempt(model: type[models.Model], name: str = "") -> bool:
    """Exempt itself, or the history copy of an exempt model (simple-history's `instance_type`)."""
    for meta in (model._meta, getattr(getattr(model, "instance_type", None), "_meta", None)):
        if meta is not None and (
            meta.label in SCAN_EXEMPT or (name and f"{meta.label}.{name}" in SCAN_EXEMPT)
        ):
            return True
    return False


def scan_columns(model: type[models.Model]) -> _Columns:
    """The columns of a table that can hold free text: text and JSON fields (choice fields hold
    codes), and stored files."""
    if _exempt(model):
        return _Columns([], [], [])
    fields = [f for f in model._meta.concrete_fields if not _exempt(model, f.name)]
    return _Columns(
        text=[
            f
            for f in fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ],
        json=[f for f in fields if isinstance(f, models.JSONField)],
        files=[f for f in fields if isinstance(f, models.BinaryField | models.FileField)],
    )


def scan_models(tables: Collection[str] = ()) -> list[type[models.Model]]:
    """Every table of the database with columns to scan (one model per table), or those named
    by table or model label; an unknown name is a ValueError."""
    existing = set(connection.introspection.table_names())
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in existing:
            continue
        if scan_columns(model).all:
            found.setdefault(meta.db_table, model)
    if not tables:
        return [found[name] for name in sorted(found)]
    wanted = {name.lower() for name in tables}
    chosen = [m for t, m in sorted(found.items()) if {t, m._meta.label_lower} & wanted]
    known = set(found) | {m._meta.label_lower for m in found.values()}
    if unknown := sorted(wanted - known):
        raise ValueError(", ".join(unknown))
    return chosen


def text_kinds(text: str, *, names: bool = False) -> Counter[str]:
    """How many findings of each kind a text holds (names only when asked)."""
    return Counter(hit.type for hit in find_pii(text) if hit.blocking or names)


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _line_blocks(text: str) -> Iterator[tuple[str, int]]:
    """A long file in blocks of lines; each block starts with the last line of the one before
    (a number split across a line break), and says how long that repeated line is."""
    lines = text.splitlines(keepends=True)
    carried = ""
    for start in range(0, len(lines), FILE_BLOCK_LINES):
        yield carried + "".join(lines[start : start + FILE_BLOCK_LINES]), len(carried)
        carried = lines[min(start + FILE_BLOCK_LINES, len(lines)) - 1]


def _cells(data: bytes) -> Iterator[str]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield from (cell for cell in row if isinstance(cell, str))
    finally:
        workbook.close()


def _pages(data: bytes) -> Iterator[str]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("encrypted")
    for page in reader.pages:
        yield page.extract_text() or ""


def file_kinds(data: bytes, *, names: bool = False) -> Counter[str]:
    """Findings in a stored file: CSV or other text, the cells of an .xlsx workbook or the text
    of a PDF (a dossier). Anything else, or a broken or encrypted file, is one UNREADABLE
    finding: it may hold anything."""
    found: Counter[str] = Counter()
    kind = office_kind(data) if data.startswith(b"PK\x03\x04") else None
    if kind is not None and kind != "xlsx":
        try:  # a Word, PowerPoint or OpenDocument attachment: its XML text, bomb-safe
            return text_kinds(file_text(data, kind).text, names=names)
        except DomainError:
            return Counter({UNREADABLE: 1})
    if data.startswith((b"PK\x03\x04", b"%PDF")):
        try:
            for text in (_cells if data.startswith(b"PK") else _pages)(data):
                found += text_kinds(text, names=names)
        except Exception:  # noqa: BLE001 - openpyxl and pypdf raise many types for a broken file
            return Counter({UNREADABLE: 1})
        return found
    if b"\x00" in data:
        return Counter({UNREADABLE: 1})
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return Counter({UNREADABLE: 1})
    for block, carried in _line_blocks(text):
        found.update(
            hit.type for hit in find_pii(block) if (hit.blocking or names) and hit.end > carried
        )
    return found


def _stored_file_kinds(f: models.FileField, name: str, names: bool) -> Counter[str]:
    """Findings in a file kept on disk; a row whose file is gone holds nothing."""
    if not name:
        return Counter()
    try:
        with f.storage.open(name, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        return Counter()
    except OSError:
        return Counter({UNREADABLE: 1})
    return file_kinds(data, names=names)


def _rows(
    model: type[models.Model], fields: list[models.Field[Any, Any]], chunk: int, pks: list[str]
) -> Iterator[tuple[Any, ...]]:
    """The primary key and the given columns only, in chunks (or of the given rows)."""
    queryset = model._base_manager.order_by()
    names = ["pk", *(f.attname for f in fields)]
    if not pks:
        yield from queryset.values_list(*names).iterator(chunk_size=chunk)
    for start in range(0, len(pks), CHUNK_ROWS):
        yield from queryset.filter(pk__in=pks[start : start + CHUNK_ROWS]).values_list(*names)


def _cell_kinds(f: models.Field[Any, Any], value: Any, names: bool) -> Counter[str]:
    if value is None:
        return Counter()
    if isinstance(f, models.BinaryField):
        return file_kinds(bytes(value), names=names)
    if isinstance(f, models.FileField):
        return _stored_file_kinds(f, value, names)
    if isinstance(f, models.JSONField):
        return sum((text_kinds(text, names=names) for text in _json_strings(value)), Counter())
    return text_kinds(value, names=names)


def scan_table(
    model: type[models.Model], *, names: bool = False, pks: Collection[str] = ()
) -> tuple[int, list[Finding]]:
    """(rows read, findings) of one table, or of the given rows; files one row at a time."""
    columns = scan_columns(model)
    findings: list[Finding] = []
    groups = [(columns.text + columns.json, CHUNK_ROWS), *[([f], 1) for f in columns.files]]
    groups = [(fields, chunk) for fields, chunk in groups if fields]
    rows = 0
    for fields, chunk in groups:
        for pk, *values in _rows(model, fields, chunk, sorted(pks)):
            rows += fields is groups[0][0]  # each row counted once, in the first read
            for f, value in zip(fields, values, strict=True):
                is_file = isinstance(f, models.BinaryField | models.FileField)
                findings.extend(
                    Finding(model._meta.db_table, f.column, str(pk), kind, count, is_file)
                    for kind, count in sorted(_cell_kinds(f, value, names).items())
                )
    return rows, findings


def _redacted(f: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(f, models.BinaryField):
        return None if f.null else b""
    if isinstance(f, models.FileField):
        return ""
    if isinstance(f, models.JSONField):
        return pii_mask_json(value)
    return pii_mask(value, max_length=f.max_length)


def redact_table(model: type[models.Model], findings: list[Finding]) -> tuple[int, int]:
    """Mask the findings of one table in place, history tables like any other, in one
    transaction; files are dropped, not rewritten. `update()` sends no signal, so no history
    row is added that could copy a value again. Returns (cells rewritten, files dropped)."""
    by_column = {f.column: f for f in scan_columns(model).all}
    cells = files = 0
    # The markers are read by people, in the site's language, whoever runs the command.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for pk, column in sorted({(f.row, f.column) for f in findings}):
            column_field = by_column[column]
            stored = model._base_manager.filter(pk=pk).values_list(column_field.attname, flat=True)
            for current in stored:  # the row as it is now, if it is still there
                model._base_manager.filter(pk=pk).update(
                    **{column_field.attname: _redacted(column_field, current)}
                )
                if isinstance(column_field, models.FileField) and current:
                    column_field.storage.delete(current)  # the row no longer names it
                is_file = isinstance(column_field, models.BinaryField | models.FileField)
                files += is_file
                cells += not is_file
    return cells, files


def scan(*, tables: Collection[str] = (), redact: bool = False, names: bool = False) -> Report:
    """Scan every table (or those named); with `redact`, mask what was found, table by table,
    and scan those rows again. A table whose redaction fails is rolled back and named."""
    report = Report()
    for model in scan_models(tables):
        rows, found = scan_table(model, names=names)
        report.tables += 1
        report.rows += rows
        blocking = [f for f in found if f.kind != "name"]
        report.findings += blocking
        report.warnings += [f for f in found if f.kind == "name"]
        if not (redact and blocking):
            report.remaining += blocking
            continue
        try:
            cells, files = redact_table(model, blocking)
        except DatabaseError as error:  # a unique name masked into a duplicate; its message
            report.failed[model._meta.db_table] = type(error).__name__  # would show the value
            report.remaining += blocking
            continue
        report.redacted += cells
        report.dropped += files
        _, left = scan_table(model, pks={f.row for f in blocking})
        report.remaining += left
    return report
