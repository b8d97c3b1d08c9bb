"""Import (docs/contracts.md §3): all rows or none, a report per bad row and column, idempotent
re-import, and export in the same columns."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from catalogue.models import Municipality
from core.downloads import export_csv, export_xlsx
from core.errors import PersonalDataError
from deviations import imports
from deviations.import_readers import ImportRows
from deviations.imports import (
    COLUMNS,
    SHOWN_PROBLEMS,
    ImportFileError,
    deviations_import,
    export_rows,
    read_rows,
)
from deviations.models import Deviation, Tagging, Unit
from tests.factories import UnitFactory

PERSONNUMMER = "19121212-1212"  # Skatteverket's test number, no one's

GOOD = (
    "external_id,occurred_on,municipality,unit,description,category,severity,gender,age_band,tags\n"
    "x-1,2024-03-01,Täby,MIA Test,FK drog in sjukpenningen vid dag 180.,work_capacity,3,kvinna,"
    "30-39,prov:2010:110#K27P48;agency:FK\n"
    "x-2,2024-04-02,0136,,Soc kräver att hen skriver in sig på Af för försörjningsstöd.,"
    ",,,,\n"
)


@pytest.fixture(autouse=True)
def _units(request: pytest.FixtureRequest) -> None:
    """The units GOOD files under: MIA Test named (Täby), MIA Haninge as the one unit working in
    Haninge (0136) for the row that names none. An import never creates or changes units."""
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("haninge_unit")
        UnitFactory(name="MIA Test", municipalities=[Municipality.objects.get(code="0160")])


def _csv(text: str) -> ImportRows:
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
        export_rows(
            Deviation.objects.select_related("municipality", "unit").order_by("pk"),
            names_allowed=True,
        ),
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


PERSONNUMMER = "850312-2387"


def _rows_with_units(*units: str, municipality: str = "Täby") -> ImportRows:
    return _csv(
        "external_id,occurred_on,municipality,unit,description\n"
        + "".join(
            f"u-{n},2024-02-01,{municipality},{unit},FK drog in sjukpenningen och Af kräver mer.\n"
            for n, unit in enumerate(units)
        )
    )


@pytest.mark.django_db
def test_an_unknown_unit_is_refused_per_row_and_never_created() -> None:
    before = set(Unit.objects.values_list("name", flat=True))
    rows = _rows_with_units(
        "MIA Test", "mia test", "Team Nord", "MIA Test", "MIA Test", f"Enhet {PERSONNUMMER}"
    )
    with translation.override("sv"):
        report = deviations_import(rows=rows, by=None)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (4, "unit", "unknown_unit"),
        (7, "unit", "personal_data"),
    ]
    unknown = report.errors[0].message
    assert unknown == "Okänd enhet – enheter läggs upp av en administratör."
    assert "Team Nord" not in unknown
    assert "2387" not in str(report.as_dict()) + "".join(map(str, report.report_rows()))
    assert set(Unit.objects.values_list("name", flat=True)) == before
    assert not Deviation.objects.exists()


@pytest.mark.django_db
def test_a_unit_outside_the_rows_municipality_is_refused_and_left_as_it_is() -> None:
    unit = Unit.objects.get(name="MIA Test")  # works in Täby only
    history = unit.history.count()
    report = deviations_import(rows=_rows_with_units("MIA Test", municipality="Vaxholm"), by=None)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (2, "unit", "municipality_outside_unit")
    ]
    assert "MIA Test" not in report.errors[0].message
    assert set(unit.municipalities.values_list("name", flat=True)) == {"Täby"}
    assert unit.history.count() == history
    assert not Deviation.objects.exists()


@pytest.mark.django_db
def test_a_row_without_a_unit_goes_to_the_one_unit_working_there() -> None:
    assert deviations_import(rows=_rows_with_units("", municipality="0136"), by=None).ok
    assert Deviation.objects.get().unit.name == "MIA Haninge"
    # None works in Vaxholm; two work in Täby once a second unit is added there.
    UnitFactory(name="MIA Täby 2", municipalities=[Municipality.objects.get(code="0160")])
    report = deviations_import(rows=_rows_with_units("", ""), by=None)
    assert {e.code for e in report.errors} == {"unit_ambiguous"}
    report = deviations_import(rows=_rows_with_units("", municipality="Vaxholm"), by=None)
    assert {e.code for e in report.errors} == {"no_unit"}
    assert Deviation.objects.count() == 1


@pytest.mark.django_db
def test_no_message_repeats_a_value_from_the_file() -> None:
    """A refused value may be the personal data it was refused for; messages name the row and
    the column only, in the result and in the report file alike."""
    marker = "Zqx"  # planted in every column a rule refuses
    rows = _csv(
        "external_id,occurred_on,municipality,unit,description,category,consequence,severity,"
        "gender,age_band,tags\n"
        f"{marker}{'x' * 100},{marker},{marker},{marker},{marker},{marker},{marker},{marker},"
        f"{marker},{marker},agency:{marker};law:{marker}\n"
        f"e-2,2024-01-01,Täby,,FK {PERSONNUMMER} {marker},,,,,,\n"
    )
    report = deviations_import(rows=rows, by=None)
    columns = {e.column for e in report.errors}
    assert columns == set(COLUMNS) - {"description"} | {"description"}
    shown = str(report.as_dict()) + str(list(report.report_rows()))
    assert marker not in shown
    assert "2387" not in shown


@pytest.mark.django_db
def test_the_result_stays_small_however_many_rows_are_bad() -> None:
    rows = _csv(
        "external_id,occurred_on,municipality,description\n"
        + "".join(f"b-{n},igår,Atlantis,FK drog in sjukpenningen.\n" for n in range(3000))
    )
    report = deviations_import(rows=rows, by=None)
    assert (report.rows, report.bad_rows, report.problems) == (3000, 3000, 6000)
    result = report.as_dict()
    assert len(result["errors"]) == SHOWN_PROBLEMS
    assert sorted((column, count) for column, _code, count, _m in result["reasons"]) == [
        ("municipality", 3000),
        ("occurred_on", 3000),
    ]
    assert len(json.dumps(result)) < 10_000
    lines = list(report.report_rows())
    assert len(lines) == 6001  # the header, then every problem
    assert lines[-1][:2] == ["3001", "occurred_on"] or lines[-1][:2] == ["3001", "municipality"]


@pytest.mark.django_db
def test_the_report_file_stops_listing_at_its_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "REPORT_MAX_PROBLEMS", 10)
    rows = _csv(
        "external_id,occurred_on,municipality,description\n"
        + "".join(f"b-{n},igår,Täby,FK drog in sjukpenningen.\n" for n in range(30))
    )
    with translation.override("en"):
        report = deviations_import(rows=rows, by=None)
        lines = list(report.report_rows())
    assert report.problems == 30
    assert len(lines) == 12
    assert "20 more problems" in lines[-1][2]


@pytest.mark.django_db
def test_an_analyst_imports_only_into_their_own_organisations_units() -> None:
    """Roslagen's analyst cannot file into Östra Södertörn's team: its name is unknown to them,
    exactly as a unit that does not exist (docs/organisations.md)."""
    from catalogue.models import Forbund
    from tests.factories import UserFactory

    roslagen, south = (
        Forbund.objects.get(slug="roslagen"),
        Forbund.objects.get(slug="ostra-sodertorn"),
    )
    Unit.objects.filter(name="MIA Test").update(forbund=roslagen)
    UnitFactory(
        name="MIA Söder", forbund=south, municipalities=[Municipality.objects.get(code="0160")]
    )
    analyst = UserFactory(username="north", roles=["analyst"], organisation=roslagen)
    report = deviations_import(rows=_rows_with_units("MIA Test", "MIA Söder"), by=analyst)
    assert [(e.row, e.column, e.code) for e in report.errors] == [(3, "unit", "unknown_unit")]
    county = UserFactory(username="county", roles=["county_analyst"], organisation=roslagen)
    report = deviations_import(rows=_rows_with_units("MIA Test", "MIA Söder"), by=county)
    assert report.ok, report.errors
    assert set(Deviation.objects.values_list("unit__name", flat=True)) == {"MIA Test", "MIA Söder"}


def _imported() -> list[tuple[str, str, str, str]]:
    return sorted(
        Deviation.objects.values_list("external_id", "description", "unit__name", "confirmed_tags")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kept", [True, False], ids=["rows-kept", "file-read-again"])
def test_a_file_too_big_to_keep_is_read_again_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch, kept: bool
) -> None:
    """A file of ordinary size is checked once and written from what the check kept; a bigger
    one is read and checked again while it is written. Both file the same rows and tags."""
    if not kept:
        monkeypatch.setattr(imports, "HOLD_ROWS", 1)
    checked = []
    real = imports._check_row
    monkeypatch.setattr(imports, "_check_row", lambda *a: checked.append(a[0]) or real(*a))
    report = deviations_import(rows=_csv(GOOD), by=None)
    assert (report.created, report.suggested) == (2, 1)
    assert checked == ([2, 3] if kept else [2, 3, 2, 3])
    assert _imported() == [
        ("x-1", "FK drog in sjukpenningen vid dag 180.", "MIA Test",
         "agency:FK;law:2010:110;prov:2010:110#K27P48"),
        ("x-2", "Soc kräver att hen skriver in sig på Af för försörjningsstöd.", "MIA Haninge", ""),
    ]  # fmt: skip
    assert Tagging.objects.filter(deviation__external_id="x-2", tag_id="agency:AF").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kept", [True, False], ids=["rows-kept", "file-read-again"])
def test_rows_filed_by_someone_else_meanwhile_are_not_filed_twice(
    monkeypatch: pytest.MonkeyPatch, kept: bool
) -> None:
    """Another import files x-1 between the check and the writing: it is skipped, not doubled."""
    if not kept:
        monkeypatch.setattr(imports, "HOLD_ROWS", 1)
    calls = []
    real_existing = imports._existing

    def existing(ids: list[str]) -> set[str]:
        calls.append(ids)
        if len(calls) == 2:  # the writing's first look: x-1 arrived in between
            deviations_import(rows=_csv(GOOD.rsplit("\n", 2)[0] + "\n"), by=None)
        return real_existing(ids)

    monkeypatch.setattr(imports, "_existing", existing)
    report = deviations_import(rows=_csv(GOOD), by=None)
    assert report.ok
    assert sorted(Deviation.objects.values_list("external_id", flat=True)) == ["x-1", "x-2"]


@pytest.mark.django_db
def test_a_file_that_changes_while_it_is_read_again_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports, "HOLD_ROWS", 1)
    rows = _csv(GOOD)
    reads = 0
    real = rows.numbered

    def numbered():  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        for number, row in real():
            yield number, ({**row, "occurred_on": "igår"} if reads > 1 else row)

    monkeypatch.setattr(rows, "numbered", numbered)
    with pytest.raises(ImportFileError):
        deviations_import(rows=rows, by=None)
    assert not Deviation.objects.exists()


@pytest.mark.django_db
def test_what_is_kept_counts_every_value_and_tag_not_only_the_description(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Short descriptions with many tags (or one spreadsheet cell shared by every row) would
    slip past a budget of description characters: the whole row and its tags count."""
    descriptions = sum(sys.getsizeof(line.split(",")[4]) for line in GOOD.splitlines()[1:])
    monkeypatch.setattr(imports, "HOLD_BYTES", descriptions * 2)  # room for the descriptions
    checked = []
    real = imports._check_row
    monkeypatch.setattr(imports, "_check_row", lambda *a: checked.append(a[0]) or real(*a))
    report = deviations_import(rows=_csv(GOOD), by=None)
    assert report.created == 2
    assert checked == [2, 3, 2, 3]  # too much to keep: read and checked again


@pytest.mark.django_db
def test_a_refusal_while_writing_keeps_no_batch_and_speaks_the_importers_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The gate runs again on every row as it is written (the one rule of every path); if it
    refuses there, the message is in the importer's language and no row of any batch is kept."""
    monkeypatch.setattr(imports, "BATCH", 1)
    real = imports._check_row

    def check(number: int, row: dict[str, str], tables: Any) -> tuple[list[Any], Any]:
        errors, item = real(number, row, tables)
        if number == 3:  # as if the text had changed between the check and the writing
            item = replace(item, description=f"Personen {PERSONNUMMER} fick avslag.")
        return errors, item

    monkeypatch.setattr(imports, "_check_row", check)
    for language, words in (("en", "may not hold personal data"), ("sv", "personuppgifter")):
        with translation.override(language), pytest.raises(PersonalDataError) as refused:
            deviations_import(rows=_csv(GOOD), by=None)
        assert words in str(refused.value)
        assert not Deviation.objects.exists()
