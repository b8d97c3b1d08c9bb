"""Import and export of deviations as CSV or Excel (docs/contracts.md §3).

Import is all or nothing: every row is checked first and the report names each bad row and
column; only a clean file is written, in one transaction. Rows are matched on `external_id`, so
importing the same file again changes nothing.

Nothing is held per row (issue 14): the file is read twice, one row at a time (check, then
write in batches inside the one transaction), and the report keeps counts per reason, the first
problems for the job's result and the full list as compact CSV text for the job's report file.
No message repeats a value from the file: a refused value may be the very personal data it was
refused for, so messages name the row and the column only. Units are never created or changed
here: they are an administrator's (a unit named after a person was once created by an import
and listed to every user).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Municipality
from catalogue.selectors import tag_choices
from core.errors import PersonalDataError
from core.metrics import filed
from deviations import rules
from deviations.filters import DeviationFilterSet
from deviations.import_readers import (
    COLUMNS,
    REQUIRED,
    ImportFileError,
    ImportRows,
    read_rows,
)
from deviations.models import Deviation, Unit, User
from deviations.rules import FieldRuleError
from deviations.selectors import deviation_list, organisation_scope, organisation_units
from deviations.services import DeviationInput, TagInput, deviations_file_many
from jobs.services import Progress
from privacy.gate import PII_LABELS, personal_data_check
from privacy.mask import quotable
from privacy.pii import find_pii

__all__ = ["COLUMNS", "REQUIRED", "ImportFileError", "ImportReport", "RowError", "read_rows"]

IMPORT_MAX_BYTES = 50 * 2**20  # an upload larger than this is refused before it is stored
SHOWN_PROBLEMS = 50  # problems listed in the job's result; the report file has them all
REPORT_MAX_PROBLEMS = 100_000  # lines of the report file (a few MB); the counts go on
BATCH = 250  # rows looked up and written together (larger batches only cost memory)
# What the check keeps for the writing, so a file of ordinary size is checked once; a bigger
# one is read and checked again while it is written, so a worker's memory stays bounded
# (benchmarks/imports.py: a 50 MB file may raise it by at most 100 MB).
# Memory is counted as the row's values take it (sys.getsizeof: a text of non-Latin characters
# takes two or four bytes a character) plus what a kept tag's objects take: 119 bytes measured
# on the jobs benchmark's 20,000 rows (17.7 MiB kept), 200 counted.
HOLD_ROWS = 25_000
HOLD_BYTES = 24 * 2**20
TAG_HELD_BYTES = 200


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the row as a spreadsheet numbers it, the header being row 1
    column: str
    message: str
    code: str = ""  # the reason, for the counts per reason


@dataclass(slots=True)
class ImportReport:
    """What the check and the import found; small whatever the size of the file."""

    rows: int = 0
    created: int = 0
    unchanged: int = 0
    suggested: int = 0
    problems: int = 0
    bad_rows: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first SHOWN_PROBLEMS
    # (column, code) -> [count, the first message of that reason]
    reasons: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    # The report file's lines as they come, UTF-8 (a Swedish str would take two bytes a letter).
    _lines: io.TextIOWrapper = field(
        default_factory=lambda: io.TextIOWrapper(
            io.BytesIO(), encoding="utf-8", newline="", write_through=True
        ),
        repr=False,
    )

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, errors: list[RowError]) -> None:
        """One row's problems, in column order."""
        if not errors:
            return
        errors.sort(key=lambda e: _COLUMN_ORDER.get(e.column, len(COLUMNS)))
        self.bad_rows += 1
        writer = csv.writer(self._lines)
        for error in errors:
            self.problems += 1
            reason = self.reasons.setdefault((error.column, error.code), [0, error.message])
            reason[0] += 1
            if len(self.errors) < SHOWN_PROBLEMS:
                self.errors.append(error)
            if self.problems <= REPORT_MAX_PROBLEMS:
                writer.writerow([error.row, error.column, error.message])

    def report_rows(self) -> Iterator[list[str]]:
        """Every problem as rows of a CSV file (header first), for the job's report file."""
        yield [_("row"), _("column"), _("problem")]
        lines = io.BytesIO(self._lines.buffer.getvalue())  # type: ignore[attr-defined]
        yield from csv.reader(io.TextIOWrapper(lines, encoding="utf-8", newline=""))
        if self.problems > REPORT_MAX_PROBLEMS:
            yield [
                "",
                "",
                _("… and %(n)d more problems, not listed; correct the ones above first.")
                % {"n": self.problems - REPORT_MAX_PROBLEMS},
            ]

    def as_dict(self) -> dict[str, Any]:
        """For a job's result (JSON): counts, the reasons and the first problems."""
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "suggested": self.suggested,
            "problems": self.problems,
            "bad_rows": self.bad_rows,
            "reasons": [
                [column, code, count, message]
                for (column, code), (count, message) in sorted(
                    self.reasons.items(), key=lambda item: -item[1][0]
                )
            ],
            "errors": [[e.row, e.column, e.message] for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        errors = [RowError(row, column, message) for row, column, message in data.get("errors", [])]
        return cls(
            rows=data.get("rows", 0),
            created=data.get("created", 0),
            unchanged=data.get("unchanged", 0),
            suggested=data.get("suggested", 0),
            problems=data.get("problems", len(errors)),
            bad_rows=data.get("bad_rows", 0),
            errors=errors,
            reasons={
                (column, code): [count, message]
                for column, code, count, message in data.get("reasons", [])
            },
        )

    @property
    def reason_list(self) -> list[tuple[str, int, str]]:
        """(column, count, message) for the job page, most frequent first."""
        return sorted(
            ((column, count, message) for (column, _c), (count, message) in self.reasons.items()),
            key=lambda reason: -reason[1],
        )


_COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}

# Messages for the rules whose own message repeats the value (fine on a form, where the person
# sees what they typed; not in a report that outlives the file).
_VALUE_FREE = {
    "invalid_choice": gettext_lazy("Not one of the allowed values: %(choices)s."),
    "invalid_tag": gettext_lazy(
        "Not a valid tag. Tags are written like agency:FK, law:2010:110 or prov:2010:110#K27P48, "
        "separated by ;."
    ),
    "unknown_tag": gettext_lazy("Unknown agency. Choose an agency from the catalogue."),
}


# --- Checking ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tables:
    """What every row is checked against, read once per import."""

    municipalities: dict[str, Municipality]
    units: dict[str, Unit]  # by case-folded name
    unit_places: dict[int, set[int]]  # unit id -> municipality ids
    units_in: dict[int, list[Unit]]  # municipality id -> the units that work there
    known_tags: frozenset[str]
    today: date

    @classmethod
    def load(cls, by: User | None = None) -> _Tables:
        """`by`: the importer, whose organisation scope bounds the units rows may name (an
        analyst of one förbund cannot file into another's)."""
        municipalities: dict[str, Municipality] = {}
        for municipality in Municipality.objects.all():
            municipalities[municipality.code] = municipality
            municipalities[municipality.name.casefold()] = municipality
        allowed = Unit.objects.all()
        if by is not None and organisation_scope(by) is not None:
            allowed = Unit.objects.filter(
                Q(pk__in=organisation_units(by).values("pk")) | Q(members=by)
            ).distinct()
        units = {unit.name.casefold(): unit for unit in allowed}
        places: dict[int, set[int]] = {unit.pk: set() for unit in units.values()}
        units_in: dict[int, list[Unit]] = {}
        by_pk = {unit.pk: unit for unit in units.values()}
        through = Unit.municipalities.through.objects.values_list("unit_id", "municipality_id")
        for unit_id, municipality_id in through:
            if unit_id not in by_pk:
                continue  # outside the importer's organisations
            places[unit_id].add(municipality_id)
            if by_pk[unit_id].is_active:
                units_in.setdefault(municipality_id, []).append(by_pk[unit_id])
        return cls(
            municipalities=municipalities,
            units=units,
            unit_places=places,
            units_in=units_in,
            known_tags=frozenset(tag_choices()),
            today=timezone.localdate(),
        )


def _check_row(number: int, row: dict[str, str], tables: _Tables) -> tuple[list[RowError], Any]:
    """A row's problems, and what to file when it has none (a DeviationInput)."""
    errors: list[RowError] = []

    def error(column: str, message: str, code: str) -> None:
        errors.append(RowError(number, column, str(message), code))

    def check(rule: Callable[..., None], *args: Any, **kw: Any) -> bool:
        """Run one field rule; a refusal goes into the report under the rule's column."""
        try:
            rule(*args, **kw)
        except FieldRuleError as refusal:
            message = _VALUE_FREE.get(refusal.code, refusal.message)
            if refusal.code == "invalid_choice":
                allowed = rules.CHOICES[refusal.field].values
                message = message % {"choices": ", ".join(str(value) for value in allowed)}
            error(refusal.field, message, refusal.code)
            return False
        return True

    # Every column through the gate first: a column refused for personal data gets no other
    # message (the description is checked below, where a possible name counts as well).
    refused: set[str] = set()
    values = {c: row[c] for c in COLUMNS if c != "description" and row.get(c)}
    try:
        personal_data_check(values)  # the whole row at once; per column only when refused
    except PersonalDataError:
        for column, value in values.items():
            try:
                personal_data_check({column: value})
            except PersonalDataError as refusal:
                error(column, refusal.message, "personal_data")
                refused.add(column)

    external_id = row.get("external_id", "")
    if "external_id" in refused:
        pass
    elif not external_id:
        error("external_id", _("Required."), "required")
    elif len(external_id) > 100:
        error("external_id", _("At most 100 characters."), "too_long")
    occurred_on: date | None = None
    if "occurred_on" not in refused:
        try:
            occurred_on = date.fromisoformat(row.get("occurred_on", ""))
        except ValueError:
            error("occurred_on", rules.DATE_FORMAT_MESSAGE, "date_format")
        else:
            if not check(rules.check_occurred_on, occurred_on, today=tables.today):
                occurred_on = None
    municipality = _municipality(row.get("municipality", ""), tables)
    if "municipality" in refused:
        pass
    elif not row.get("municipality"):
        error("municipality", _("Required."), "required")
    elif municipality is None:
        error(
            "municipality",
            _("Not a municipality in Stockholms län; give its name or its SCB code."),
            "unknown_municipality",
        )
    unit = None if "unit" in refused else _unit(row.get("unit", ""), municipality, tables, error)
    description = row.get("description", "")
    if check(rules.check_description, description, typed=False):
        found = find_pii(description)
        if found:
            kinds = sorted({str(PII_LABELS[hit.type]) for hit in found})
            error(
                "description",
                _("Holds personal data (%(kinds)s) at character %(start)d; refused.")
                % {"kinds": ", ".join(kinds), "start": found[0].start + 1},
                "personal_data",
            )
    values: dict[str, Any] = {}
    for column in rules.CHOICES:
        value = row.get(column, "")
        if column not in refused and check(rules.check_choice, column, value):
            values[column] = value
    tag_ids = [t for t in (t.strip() for t in row.get("tags", "").split(";")) if t]
    tags: list[TagInput] = []
    if "tags" not in refused and check(rules.check_tags, tag_ids, known=tables.known_tags):
        tags = [TagInput(tag_id=tag_id, rule="imported") for tag_id in tag_ids]
    if errors or unit is None or municipality is None or occurred_on is None:
        return errors, None
    return errors, DeviationInput(
        occurred_on=occurred_on,
        unit=unit,
        municipality=municipality,
        description=description,
        category=values["category"],
        consequence=values["consequence"],
        severity=int(values["severity"]) if values["severity"] else None,
        gender=values["gender"],
        age_band=values["age_band"],
        external_id=external_id,
        tags=tuple(tags),
    )


def _municipality(raw: str, tables: _Tables) -> Municipality | None:
    if raw.isdigit() and len(raw) < 4:
        raw = raw.zfill(4)  # Excel drops the leading zero
    return tables.municipalities.get(raw) or tables.municipalities.get(raw.casefold())


def _unit(
    name: str,
    municipality: Municipality | None,
    tables: _Tables,
    error: Callable[[str, str, str], None],
) -> Unit | None:
    """The row's unit: the one named, which must already work in the row's municipality, or
    with no name the one unit that works there. Never created, never changed."""
    if name:
        unit = tables.units.get(name.casefold())
        if unit is None:
            error(
                "unit",
                _("Unknown unit; units are added by an administrator."),
                "unknown_unit",
            )
            return None
        if municipality is not None and municipality.pk not in tables.unit_places[unit.pk]:
            error(
                "unit",
                _(
                    "The unit does not work in the row's municipality; an administrator "
                    "changes which municipalities a unit covers."
                ),
                "municipality_outside_unit",
            )
            return None
        return unit
    if municipality is None:
        return None
    candidates = tables.units_in.get(municipality.pk, [])
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        error("unit", _("Several units work in this municipality; name one."), "unit_ambiguous")
    else:
        error(
            "unit",
            _("No unit works in this municipality; an administrator adds or changes units."),
            "no_unit",
        )
    return None


# --- Importing ---------------------------------------------------------------------------------


def deviations_import(
    *, rows: ImportRows, by: User | None, progress: Progress | None = None
) -> ImportReport:
    """Check every row, then import all of them or none (docs/contracts.md §3).

    The check runs outside the transaction so its progress can be watched; the writing is one
    transaction, in batches: of the rows the check kept, or for a file too big to keep
    (HOLD_ROWS, HOLD_BYTES), read from the file again and checked again.
    """
    report = ImportReport()
    tables = _Tables.load(by)
    if progress:
        progress.step(_("Checking rows"), rows.count())
    seen: dict[str, int] = {}
    held: list[DeviationInput] | None = []
    held_bytes = 0
    new = 0
    for batch in _batches(rows.numbered()):
        existing = _existing([row.get("external_id", "") for _n, row in batch])
        for number, row in batch:
            if progress:
                progress.advance()
            report.rows += 1
            errors, item = _check_row(number, row, tables)
            external_id = row.get("external_id", "")
            if external_id and not any(e.column == "external_id" for e in errors):
                if external_id in seen:
                    errors.append(
                        RowError(
                            number,
                            "external_id",
                            _("Also used in row %(row)d; each row needs its own id.")
                            % {"row": seen[external_id]},
                            "duplicate",
                        )
                    )
                else:
                    seen[external_id] = number
            report.add(errors)
            if external_id in existing:
                report.unchanged += 1
            elif item is not None:
                new += 1
                if held is not None:
                    held.append(item)
                    # The whole row, tags included: one spreadsheet cell shared by every row
                    # costs the file nothing, but each kept row holds its own copy.
                    held_bytes += sum(map(sys.getsizeof, row.values()))
                    held_bytes += TAG_HELD_BYTES * len(item.tags)
                    if len(held) > HOLD_ROWS or held_bytes > HOLD_BYTES:
                        held = None  # too big to keep: checked again while it is written
    del seen
    if not report.ok:
        return report
    if progress:
        progress.step(_("Saving deviations and tags"), new)
    with transaction.atomic():
        batches = _held_new(held) if held is not None else _checked_again(rows, tables)
        for items in batches:
            if items:
                deviations_file_many(
                    by=by,
                    items=items,
                    tag_origin="import",
                    tag_state="confirmed",
                    suggest_missing=True,
                    by_is_reporter=False,
                )
            report.created += len(items)
            report.suggested += sum(1 for item in items if not item.tags)
            if progress:
                progress.advance(len(items))
        created = report.created
        transaction.on_commit(lambda: filed("import", created))
    return report


def _held_new(held: list[DeviationInput]) -> Iterator[list[DeviationInput]]:
    """The rows the check kept, in batches, without those filed since (another import)."""
    for start in range(0, len(held), BATCH):
        batch = held[start : start + BATCH]
        existing = _existing([item.external_id for item in batch])
        yield [item for item in batch if item.external_id not in existing]


def _checked_again(rows: ImportRows, tables: _Tables) -> Iterator[list[DeviationInput]]:
    """The file read and checked again, in batches, without rows already filed. It does not
    change in between (it is the job's stored input), so this finds the rows the check passed."""
    for batch in _batches(rows.numbered()):
        existing = _existing([row.get("external_id", "") for _n, row in batch])
        items = []
        for number, row in batch:
            if row.get("external_id", "") in existing:
                continue
            errors, item = _check_row(number, row, tables)
            if errors or item is None:  # the file changed under us: write nothing
                raise ImportFileError(_("The file changed while it was imported."))
            items.append(item)
        yield items


def _batches(
    rows: Iterable[tuple[int, dict[str, str]]],
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(external_ids: list[str]) -> set[str]:
    wanted = [external_id for external_id in external_ids if external_id]
    if not wanted:
        return set()
    return set(
        Deviation.objects.filter(external_id__in=wanted).values_list("external_id", flat=True)
    )


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


def export_names_allowed(user: User) -> bool:
    """Only the analyst role's exports carry texts with a possible name (the analyst sees the
    flag and decides); everyone else's leave such a text out."""
    return user.has_perm("deviations.view_all_deviations")


def export_rows(deviations: Iterable[Deviation], *, names_allowed: bool) -> Iterable[list[str]]:
    """The import columns, so an export can be imported elsewhere; tags are the confirmed ones.
    A description with a possible name is left out unless the reader may see names (analysts),
    and personal data an older version stored is masked (privacy.mask.quotable)."""
    yield list(COLUMNS)
    for deviation in deviations:
        yield [
            deviation.external_id or deviation.reference,
            deviation.occurred_on.isoformat(),
            deviation.municipality.code,
            deviation.unit.name,
            quotable(deviation.description, names_allowed=names_allowed),
            deviation.category,
            deviation.consequence,
            str(deviation.severity or ""),
            deviation.gender,
            deviation.age_band,
            deviation.confirmed_tags,
        ]
