"""Import and export of deviations as CSV or Excel (docs/contracts.md §3).

Import is all or nothing: every row is validated first and the report names each bad row and
column; only a clean file is written, in one transaction. Rows are matched on `external_id`, so
importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from catalogue.models import Municipality
from catalogue.selectors import tag_choices
from core.errors import PersonalDataError
from deviations import rules
from deviations.filters import DeviationFilterSet
from deviations.models import Deviation, Unit, User
from deviations.rules import FieldRuleError
from deviations.selectors import deviation_list
from deviations.services import DeviationInput, TagInput, deviations_file_many
from jobs.services import Progress
from privacy.gate import PII_LABELS, personal_data_check
from privacy.pii import find_pii

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
IMPORT_MAX_BYTES = 50 * 2**20  # an upload larger than this is refused before it is stored
DEFAULT_UNIT = "Importerade avvikelser"


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 1-based line in the file, the header being row 1
    column: str
    message: str


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    suggested: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """For a job's result (JSON)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "suggested": self.suggested,
            "errors": [[e.row, e.column, e.message] for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            rows=data.get("rows", 0),
            created=data.get("created", 0),
            unchanged=data.get("unchanged", 0),
            suggested=data.get("suggested", 0),
            errors=[
                RowError(row, column, message) for row, column, message in data.get("errors", [])
            ],
        )


# --- Reading ---------------------------------------------------------------------------------


def read_rows(stream: IO[bytes], *, filename: str) -> list[dict[str, str]]:
    """Rows of a .csv (UTF-8, comma) or .xlsx file as dicts of stripped strings."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _read_csv(stream)
    if suffix == ".xlsx":
        return _read_xlsx(stream)
    raise ImportFileError(_("Only .csv and .xlsx files can be imported."))


def _read_csv(stream: IO[bytes]) -> list[dict[str, str]]:
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text (byte %(position)d).") % {"position": error.start}
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(reader.fieldnames or [])
    rows = []
    for record in reader:
        if None in record:  # more cells than header columns
            record.pop(None)
        rows.append({k.strip(): (v or "").strip() for k, v in record.items() if k})
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    return rows


def _read_xlsx(stream: IO[bytes]) -> list[dict[str, str]]:
    try:
        workbook = load_workbook(io.BytesIO(stream.read()), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise ImportFileError(_("The file is not a readable Excel (.xlsx) workbook.")) from None
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows_iter, ())]
    _check_header(header)
    rows = []
    for values in rows_iter:
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        record = {}
        for name, value in zip(header, values, strict=False):
            if name:
                record[name] = _cell_text(value)
        rows.append(record)
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    workbook.close()
    return rows


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


def _check_header(header: Sequence[str]) -> None:
    names = {name.strip() for name in header if name}
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportFileError(
            _("The header row lacks the column(s): %(names)s.") % {"names": ", ".join(missing)}
        )


# --- Validating and importing ----------------------------------------------------------------


def _lookup_tables() -> tuple[dict[str, Municipality], dict[str, Unit]]:
    municipalities: dict[str, Municipality] = {}
    for municipality in Municipality.objects.all():
        municipalities[municipality.code] = municipality
        municipalities[municipality.name.casefold()] = municipality
    units = {unit.name.casefold(): unit for unit in Unit.objects.all()}
    return municipalities, units


def deviations_import(
    *, rows: Sequence[dict[str, str]], by: User | None, progress: Progress | None = None
) -> ImportReport:
    """Validate every row, then import all of them or none (docs/contracts.md §3).

    The checks run outside the transaction so their progress can be watched; the writing is
    one transaction.
    """
    report = ImportReport(rows=len(rows))
    if progress:
        progress.step(_("Checking rows"), len(rows))
    municipalities, units = _lookup_tables()
    existing = set(
        Deviation.objects.filter(
            external_id__in=[r.get("external_id", "") for r in rows if r.get("external_id")]
        ).values_list("external_id", flat=True)
    )
    seen: dict[str, int] = {}
    pending: list[tuple[int, dict[str, Any]]] = []
    today = timezone.localdate()
    known_tags = tag_choices()
    for index, row in enumerate(rows, start=2):
        if progress:
            progress.advance()

        def error(column: str, message: str, *, _row: int = index) -> None:
            report.errors.append(RowError(_row, column, message))

        def check(rule: Callable[..., None], *args: Any, _row: int = index, **kw: Any) -> bool:
            """Run one field rule; a refusal goes into the report under the rule's column."""
            try:
                rule(*args, **kw)
            except FieldRuleError as refusal:
                report.errors.append(RowError(_row, refusal.field, refusal.message))
                return False
            return True

        external_id = row.get("external_id", "")
        if not external_id:
            error("external_id", _("Required."))
        elif len(external_id) > 100:
            error("external_id", _("At most 100 characters."))
        elif external_id in seen:
            error(
                "external_id",
                _("Also used in row %(row)d; each row needs its own id.")
                % {"row": seen[external_id]},
            )
        else:
            seen[external_id] = index
        occurred_on: date | None = None
        try:
            occurred_on = date.fromisoformat(row.get("occurred_on", ""))
        except ValueError:
            error("occurred_on", str(rules.DATE_FORMAT_MESSAGE))
        else:
            check(rules.check_occurred_on, occurred_on, today=today)
        raw_municipality = row.get("municipality", "")
        if raw_municipality.isdigit() and len(raw_municipality) < 4:
            raw_municipality = raw_municipality.zfill(4)  # Excel drops the leading zero
        municipality = municipalities.get(raw_municipality) or municipalities.get(
            raw_municipality.casefold()
        )
        if municipality is None:
            error(
                "municipality",
                _("“%(value)s” is not a municipality in Stockholms län (name or SCB code).")
                % {"value": raw_municipality[:40]},
            )
        description = row.get("description", "")
        if check(rules.check_description, description, typed=False):
            found = find_pii(description)
            if found:
                kinds = sorted({str(PII_LABELS[hit.type]) for hit in found})
                error(
                    "description",
                    _("Holds personal data (%(kinds)s) at character %(start)d; refused.")
                    % {"kinds": ", ".join(kinds), "start": found[0].start + 1},
                )
        for column in COLUMNS:  # every other column through the gate (the description above)
            if column != "description":
                try:
                    personal_data_check({column: row.get(column, "")})
                except PersonalDataError as refusal:
                    error(column, refusal.message)
        values: dict[str, Any] = {}
        for column in rules.CHOICES:
            value = row.get(column, "")
            if check(rules.check_choice, column, value):
                values[column] = value
        values["severity"] = int(values["severity"]) if values.get("severity") else None
        tag_ids = [t for t in (t.strip() for t in row.get("tags", "").split(";")) if t]
        tags: list[TagInput] = []
        if check(rules.check_tags, tag_ids, known=known_tags):
            tags = [TagInput(tag_id=tag_id, rule="imported") for tag_id in tag_ids]
        unit_name = row.get("unit", "")[:200]
        if external_id in existing:
            report.unchanged += 1
            continue
        pending.append(
            (
                index,
                {
                    "external_id": external_id,
                    "occurred_on": occurred_on,
                    "municipality": municipality,
                    "unit_name": unit_name or DEFAULT_UNIT,
                    "description": description,
                    "tags": tags,
                    **values,
                },
            )
        )
    if report.errors:
        report.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column)))
        return report
    if progress:
        progress.step(_("Saving deviations and tags"), None)
    with transaction.atomic():
        _import_write(pending, units=units, by=by, report=report)
    return report


def _import_write(
    pending: list[tuple[int, dict[str, Any]]],
    *,
    units: dict[str, Unit],
    by: User | None,
    report: ImportReport,
) -> None:
    items: list[DeviationInput] = []
    places: dict[Unit, set[int]] = {}  # municipalities each unit reported from
    for _index, data in pending:
        unit = units.get(data["unit_name"].casefold())
        if unit is None:
            unit = Unit.objects.create(name=data["unit_name"])
            units[unit.name.casefold()] = unit
        places.setdefault(unit, set()).add(data["municipality"].pk)
        items.append(
            DeviationInput(
                occurred_on=data["occurred_on"],
                unit=unit,
                municipality=data["municipality"],
                description=data["description"],
                category=data["category"],
                consequence=data["consequence"],
                severity=data["severity"],
                gender=data["gender"],
                age_band=data["age_band"],
                external_id=data["external_id"],
                tags=tuple(data["tags"]),
            )
        )
    # One change per unit, not one per row: each change also writes the unit's audit history.
    for unit, municipality_ids in places.items():
        known = set(unit.municipalities.values_list("pk", flat=True))
        if missing := municipality_ids - known:
            unit.municipalities.add(*missing)
    if items:
        deviations_file_many(
            by=by,
            items=items,
            tag_origin="import",
            tag_state="confirmed",
            suggest_missing=True,
            by_is_reporter=False,
        )
    report.created = len(items)
    report.suggested = sum(1 for item in items if not item.tags)


# --- Export ----------------------------------------------------------------------------------


EXPORT_INLINE_ROWS = 5_000  # larger exports are made by a background job (about 1 s here)


def export_queryset(*, user: User, params: QueryDict) -> QuerySet[Deviation]:
    """The deviations of the list page under these filters, in export order; an invalid
    filter exports nothing, as the page then shows nothing."""
    visible = deviation_list(user=user)
    # The filter set only reads request.user (the "mine" filter).
    filterset = DeviationFilterSet(params or None, queryset=visible, request=_AsUser(user))
    rows = visible.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    return rows.select_related("municipality", "unit").order_by("occurred_on", "reference")


@dataclass(frozen=True, slots=True)
class _AsUser:
    user: User


def export_rows(deviations: Iterable[Deviation]) -> Iterable[list[str]]:
    """The import columns, so an export can be imported elsewhere; tags are the confirmed ones."""
    yield list(COLUMNS)
    for deviation in deviations:
        yield [
            deviation.external_id or deviation.reference,
            deviation.occurred_on.isoformat(),
            deviation.municipality.code,
            deviation.unit.name,
            deviation.description,
            deviation.category,
            deviation.consequence,
            str(deviation.severity or ""),
            deviation.gender,
            deviation.age_band,
            deviation.confirmed_tags,
        ]
