"""Import (docs/contracts.md §3): all rows or none, a report per bad row and column, idempotent
re-import, and export in the same columns."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from core.downloads import export_csv, export_xlsx
from deviations.imports import COLUMNS, ImportFileError, deviations_import, export_rows, read_rows
from deviations.models import Deviation, Tagging, Unit

GOOD = (
    "external_id,occurred_on,municipality,unit,description,category,severity,gender,age_band,tags\n"
    "x-1,2024-03-01,Täby,MIA Test,FK drog in sjukpenningen vid dag 180.,work_capacity,3,kvinna,"
    "30-39,prov:2010:110#K27P48;agency:FK\n"
    "x-2,2024-04-02,0136,,Soc kräver att hen skriver in sig på Af för försörjningsstöd.,"
    ",,,,\n"
)


def _csv(text: str) -> list[dict[str, str]]:
    return read_rows(io.BytesIO(text.encode("utf-8")), filename="fil.csv")


@pytest.mark.django_db
def test_a_clean_file_is_imported_with_confirmed_or_suggested_tags() -> None:
    report = deviations_import(rows=_csv(GOOD), by=None)
    assert report.ok, report.errors
    assert (report.created, report.unchanged, report.suggested) == (2, 0, 1)
    first = Deviation.objects.get(external_id="x-1")
    assert first.municipality.code == "0160"
    assert first.unit.name == "MIA Test"
    assert first.reporter is None
    assert first.confirmed_tags == "agency:FK;law:2010:110;prov:2010:110#K27P48"
    second = Deviation.objects.get(external_id="x-2")
    states = set(second.taggings.values_list("state", flat=True))
    assert states == {Tagging.State.SUGGESTED}
    assert second.taggings.filter(tag_id="agency:AF").exists()
    assert second.confirmed_tags == ""


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing() -> None:
    deviations_import(rows=_csv(GOOD), by=None)
    before = list(Deviation.objects.values_list("reference", "external_id", "description"))
    report = deviations_import(rows=_csv(GOOD), by=None)
    assert (report.created, report.unchanged) == (0, 2)
    assert list(Deviation.objects.values_list("reference", "external_id", "description")) == before


@pytest.mark.django_db
def test_every_bad_row_and_column_is_reported_and_nothing_imported() -> None:
    bad = GOOD + (
        "x-3,2024-13-01,Gotland,,kort,nonsense,7,robot,99,law:xyz\n"
        "x-1,2024-01-01,Täby,,Gäller 870514-9832 och FK.,,,,,\n"
        ",2099-01-01,Täby,,,,,,,\n"
    )
    report = deviations_import(rows=_csv(bad), by=None)
    assert not report.ok
    problems = {(e.row, e.column) for e in report.errors}
    assert {
        (4, "occurred_on"),
        (4, "municipality"),
        (4, "category"),
        (4, "severity"),
        (4, "gender"),
        (4, "age_band"),
        (4, "tags"),
        (5, "external_id"),
        (5, "description"),
        (6, "external_id"),
        (6, "occurred_on"),
        (6, "description"),
    } == problems
    pii = next(e for e in report.errors if (e.row, e.column) == (5, "description"))
    assert "personnummer" in pii.message
    assert "870514" not in pii.message
    assert not Deviation.objects.exists()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"a,b\n1,2\n", "fil.csv", "external_id"),
        (b"\xff\xfe\x00", "fil.csv", "UTF-8"),
        (b"not a workbook", "fil.xlsx", "Excel"),
        (b"x", "fil.txt", ".csv"),
    ],
)
def test_unreadable_files_get_a_clear_message(content: bytes, filename: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_rows(io.BytesIO(content), filename=filename)


@pytest.mark.django_db
def test_xlsx_round_trip_through_export() -> None:
    deviations_import(rows=_csv(GOOD), by=None)
    exported = export_xlsx(
        export_rows(Deviation.objects.select_related("municipality", "unit").order_by("pk")),
        title="Avvikelser",
    )
    sheet = load_workbook(io.BytesIO(exported)).worksheets[0]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert tuple(header) == COLUMNS
    Deviation.objects.all().delete()
    report = deviations_import(rows=read_rows(io.BytesIO(exported), filename="e.xlsx"), by=None)
    assert report.ok
    assert report.created == 2
    assert Deviation.objects.get(external_id="x-1").confirmed_tags.startswith("agency:FK")


def test_excel_dates_and_numbers_are_read_as_text(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append(["e-1", date(2024, 5, 6), 160, "", "Text", "", "", 3, "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    (row,) = read_rows(buffer, filename="a.xlsx")
    assert row["occurred_on"] == "2024-05-06"
    assert row["severity"] == "3"
    assert row["municipality"] == "160"


@pytest.mark.django_db
def test_municipality_codes_that_lost_their_leading_zero_are_accepted() -> None:
    rows = _csv(GOOD.replace(",0136,", ",136,"))
    assert deviations_import(rows=rows, by=None).ok
    assert Deviation.objects.get(external_id="x-2").municipality.code == "0136"


def test_export_neutralises_formulas() -> None:
    data = export_csv([["description"], ['=HYPERLINK("http://x")'], ["vanlig text"]])
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "vanlig text" in text


@pytest.mark.django_db
def test_command_imports_and_reports(tmp_path: Path, capsys) -> None:
    path = tmp_path / "avvikelser.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_deviations", str(path))
    assert "Imported 2 of 2 rows" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("2024-03-01", "1 mars"), encoding="utf-8")
    Deviation.objects.all().delete()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_deviations", str(bad))
    assert "row 2, occurred_on" in capsys.readouterr().err
    assert not Deviation.objects.exists()


@pytest.mark.django_db
def test_units_learn_their_municipalities_once_per_import() -> None:
    """Each row's municipality is added to its unit, but as one change per unit: every change
    of a unit also writes its audit history."""
    rows = _csv(
        "external_id,occurred_on,municipality,unit,description\n"
        + "".join(
            f"u-{n},2024-02-0{1 + n % 5},{'Täby' if n % 2 else 'Vaxholm'},Team Nord,"
            "FK drog in sjukpenningen och Af kräver inskrivning.\n"
            for n in range(6)
        )
    )
    assert deviations_import(rows=rows, by=None).created == 6
    unit = Unit.objects.get(name="Team Nord")
    assert set(unit.municipalities.values_list("name", flat=True)) == {"Täby", "Vaxholm"}
    assert unit.history.count() <= 2  # created, then one change with both municipalities
