"""Importing a full statute register file, so a site can know every statute in force.

The shipped catalogue (catalogue/data/laws.json) holds the statutes welfare cases cite, each fact
with its source. An operator who wants every statute brings a register file; this module reads it
row by row, checks each row on its own (a bad row is reported and skipped, never fatal) and fills
in rows nobody has vouched for. Shipped rows and rows an administrator confirmed are never
changed: imported rows stay unconfirmed until an administrator confirms them.

Accepted formats (docs/tagging.md, "Statute register"):
- `json`: the Riksdag's open data document list, `{"dokumentlista": {"dokument": [...]}}`, a plain
  list of such documents, or JSON Lines (one document per line, read as a stream). Each document
  needs `beteckning` ("2010:110") and `titel` ("Socialförsäkringsbalk (2010:110)"); the optional
  `ikraft`, `upphavd` and `ersatt_av` (or the CSV column names) give dates and the successor.
- `csv`: a header row with `sfs,title,short_name,in_force_from,repealed_on,replaced_by` (the
  first two required, an optional `kind`), UTF-8, read as a stream.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalogue.models import Law
from catalogue.schema import read_catalogue
from catalogue.selectors import catalogue_changed
from catalogue.tagging.lexicon import is_abbreviation

FORMATS = ("json", "csv")
CSV_REQUIRED = ("sfs", "title")
CSV_COLUMNS = ("sfs", "title", "short_name", "in_force_from", "repealed_on", "replaced_by", "kind")
IMPORT_NOTE = "From the statute register file {name}; check and confirm."
CHANGE_REASON = "statute register import"
_SFS = re.compile(r"(?:SFS\s*)?(\d{4}):(\d{1,5})")
# "Lag (2017:612) om samverkan …": the number in a Riksdag title is the row's own, not the name's.
_NUMBER_IN_TITLE = re.compile(r"\s*\((?:SFS\s*)?\d{4}:\d{1,5}\)")
_FIELDS = {
    "sfs": ("sfs", "beteckning"),
    "title": ("title", "titel"),
    "short_name": ("short_name", "kortnamn"),
    "in_force_from": ("in_force_from", "ikraft", "ikrafttradande"),
    "repealed_on": ("repealed_on", "upphavd", "upphävd"),
    "replaced_by": ("replaced_by", "ersatt_av"),
    "kind": ("kind",),
}


class RegisterFileError(ValueError):
    """The file as a whole cannot be read (missing, wrong format, no usable header)."""


class RowError(ValueError):
    """One row is unusable; the message says why, in words an operator can act on."""


@dataclass(frozen=True, slots=True)
class RegisterRow:
    sfs: str
    title: str
    short_name: str = ""
    in_force_from: date | None = None
    in_force_to: date | None = None
    replaced_by: str = ""
    kind: str = Law.Kind.LAG


@dataclass(slots=True)
class RegisterReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # shipped or confirmed by an administrator: never overwritten
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False


def _text(raw: Mapping[str, Any], name: str) -> str:
    for key in _FIELDS[name]:
        value = raw.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _sfs(value: str, what: str) -> str:
    match = _SFS.fullmatch(value.strip())
    if not match:
        raise RowError(f"{what} {value!r} is not an SFS number (YYYY:N, e.g. 2010:110)")
    return f"{match[1]}:{int(match[2])}"


def _day(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(f"{what} {value!r} is not a YYYY-MM-DD date") from None


def parse_row(raw: Mapping[str, Any]) -> RegisterRow:
    """One register entry as a checked row; raises RowError saying what is wrong."""
    if not isinstance(raw, Mapping):
        raise RowError("is not an object with fields")
    number = _text(raw, "sfs")
    if not number:
        raise RowError("has no SFS number (sfs / beteckning)")
    sfs = _sfs(number, "SFS number")
    title = _NUMBER_IN_TITLE.sub("", _text(raw, "title"), count=1).strip()
    if not title:
        raise RowError(f"{sfs} has no title (title / titel)")
    if len(title) > 300:
        raise RowError(f"{sfs}: the title is longer than 300 characters")
    in_force_from = _day(_text(raw, "in_force_from"), "in force from")
    repealed_on = _day(_text(raw, "repealed_on"), "repealed on")
    if in_force_from and repealed_on and repealed_on <= in_force_from:
        raise RowError(f"{sfs}: repealed on {repealed_on} is not after in force from")
    successor = _text(raw, "replaced_by")
    replaced_by = _sfs(successor, "replaced by") if successor else ""
    if replaced_by == sfs:
        raise RowError(f"{sfs} cannot replace itself")
    kind = _text(raw, "kind").lower()
    if not kind:
        kind = Law.Kind.FORORDNING if title.lower().startswith("förordning") else Law.Kind.LAG
    if kind not in Law.Kind.values:
        raise RowError(f"{sfs}: kind {kind!r} is not one of {', '.join(Law.Kind.values)}")
    return RegisterRow(
        sfs=sfs,
        title=title[0].upper() + title[1:],
        short_name=_text(raw, "short_name")[:100],
        in_force_from=in_force_from,
        # The register says when a statute stopped applying; the catalogue its last day.
        in_force_to=repealed_on - timedelta(days=1) if repealed_on else None,
        replaced_by=replaced_by,
        kind=kind,
    )


def _json_entries(stream: TextIO) -> Iterator[tuple[str, Any]]:
    first = stream.read(1)
    while first.isspace():
        first = stream.read(1)
    if first == "{":
        rest = stream.readline()
        if rest.strip().endswith("}") and '"dokumentlista"' not in rest:  # JSON Lines
            yield "line 1", _loads(first + rest, "line 1")
            for number, line in enumerate(stream, start=2):
                if line.strip():
                    yield f"line {number}", _loads(line, f"line {number}")
            return
        document = _loads(first + rest + stream.read(), "the file")
        listing = document.get("dokumentlista", document)
        entries = listing.get("dokument") if isinstance(listing, Mapping) else None
        if not isinstance(entries, list):
            raise RegisterFileError('expected {"dokumentlista": {"dokument": [...]}}')
    elif first == "[":
        entries = _loads(first + stream.read(), "the file")
    else:
        raise RegisterFileError("expected a JSON object, list or JSON Lines")
    for number, entry in enumerate(entries, start=1):
        yield f"document {number}", entry


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if where == "the file":
            raise RegisterFileError(f"not valid JSON: {exc}") from None
        return exc  # one bad line: reported with its number, the rest still read


def _csv_entries(stream: TextIO) -> Iterator[tuple[str, Any]]:
    reader = csv.DictReader(stream)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise RegisterFileError(
            f"the CSV header lacks {', '.join(missing)}; expected {','.join(CSV_COLUMNS[:-1])}"
        )
    reader.fieldnames = header
    for row in reader:
        if None in row:
            yield f"line {reader.line_num}", RowError("has more fields than the header")
        else:
            yield f"line {reader.line_num}", row


def read_register(stream: TextIO, fmt: str) -> Iterator[tuple[str, RegisterRow | str]]:
    """(where, row) for each usable entry and (where, reason) for each unusable one."""
    entries = _csv_entries(stream) if fmt == "csv" else _json_entries(stream)
    for where, raw in entries:
        if isinstance(raw, json.JSONDecodeError):
            yield where, f"is not valid JSON ({raw.msg})"
            continue
        if isinstance(raw, RowError):
            yield where, str(raw)
            continue
        try:
            yield where, parse_row(raw)
        except RowError as exc:
            yield where, str(exc)


def guess_format(path: Path) -> str:
    return "csv" if path.suffix.lower() in {".csv", ".tsv"} else "json"


def _values(row: RegisterRow) -> dict[str, Any]:
    short = row.short_name
    return {
        "title": row.title,
        "short_name": short,
        "abbreviations": [short] if short and is_abbreviation(short) else [],
        "name_forms": [short.lower()] if short and not is_abbreviation(short) else [],
        "kind": row.kind,
        "in_force_from": row.in_force_from,
        "in_force_to": row.in_force_to,
    }


def import_register(path: Path, *, fmt: str | None = None, dry_run: bool = False) -> RegisterReport:
    """Read a register file and create or fill in the laws nobody has vouched for."""
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise RegisterFileError(f"unknown format {fmt!r}; use {' or '.join(FORMATS)}")
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RegisterFileError(f"cannot open {path}: {exc.strerror}") from None
    with stream:
        try:
            return _import(read_register(stream, fmt), name=path.name, dry_run=dry_run)
        except UnicodeDecodeError:
            raise RegisterFileError(f"{path.name} is not UTF-8 text") from None


@transaction.atomic
def _import(
    entries: Iterable[tuple[str, RegisterRow | str]], *, name: str, dry_run: bool
) -> RegisterReport:
    report = RegisterReport(dry_run=dry_run)
    shipped = {law["sfs"] for law in read_catalogue().laws if law.get("sfs")}
    existing = {law.sfs: law for law in Law.objects.filter(sfs__isnull=False)}
    rows: dict[str, tuple[str, RegisterRow]] = {}
    for where, row in entries:
        if isinstance(row, str):
            report.problems.append(f"{where}: {row}")
            continue
        report.read += 1
        if row.sfs in rows:
            report.problems.append(f"{where}: {row.sfs} already read on {rows[row.sfs][0]}")
            continue
        rows[row.sfs] = (where, row)

    to_create: list[Law] = []
    to_update: list[Law] = []
    note = IMPORT_NOTE.format(name=name)
    for sfs, (_where, row) in rows.items():
        law = existing.get(sfs)
        if sfs in shipped or (law is not None and law.confirmed):
            report.kept += 1
            continue
        values = _values(row)
        if law is None:
            law = Law(sfs=sfs, verified=False, confirmed=False, note=note, **values)
            to_create.append(law)
            continue
        changed = {k: v for k, v in values.items() if v and getattr(law, k) != v}
        if not changed:
            report.unchanged += 1
            continue
        for key, value in changed.items():
            setattr(law, key, value)
        to_update.append(law)

    fields = [*_values(RegisterRow(sfs="", title="")).keys()]
    bulk_create_with_history(to_create, Law, batch_size=500, default_change_reason=CHANGE_REASON)
    bulk_update_with_history(
        to_update, Law, fields, batch_size=500, default_change_reason=CHANGE_REASON
    )
    report.created, report.updated = len(to_create), len(to_update)
    _link_successors(rows, shipped, report)
    if dry_run:
        transaction.set_rollback(True)
    else:
        catalogue_changed()  # this process's tagger sees the imported laws at once
    return report


def _link_successors(
    rows: Mapping[str, tuple[str, RegisterRow]], shipped: set[str], report: RegisterReport
) -> None:
    wanted = {sfs: row.replaced_by for sfs, (_w, row) in rows.items() if row.replaced_by}
    if not wanted:
        return
    laws = {law.sfs: law for law in Law.objects.filter(sfs__in={*wanted, *wanted.values()})}
    linked: list[Law] = []
    for sfs, successor in wanted.items():
        law, target = laws.get(sfs), laws.get(successor)
        if law is None or sfs in shipped or law.confirmed:
            continue
        if target is None:
            report.problems.append(
                f"{rows[sfs][0]}: {sfs} is replaced by {successor}, which is not in the register"
            )
            continue
        if law.replaced_by_id != target.pk:
            law.replaced_by = target
            linked.append(law)
    bulk_update_with_history(
        linked, Law, ["replaced_by"], batch_size=500, default_change_reason=CHANGE_REASON
    )
