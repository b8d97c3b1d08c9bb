"""`scan_personal_data`: personal data an older version stored is found in every table, history
table and stored file, reported without its value, and redacted in place, history included."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone, translation
from openpyxl import Workbook
from pypdf import PdfWriter
from weasyprint import HTML

from deviations.models import Unit, User
from privacy import scan as scan_module
from privacy.mask import pii_mask, pii_mask_json
from privacy.scan import UNREADABLE, file_kinds, scan_columns, scan_models
from tests.attachment_files import docx, odt

PERSONNUMMER = "850312–2387"  # an en dash, as Word and iOS write it
DIGITS = ("850312", "8503122387")  # no part of the value may reach the output
AROUND = f"Före {PERSONNUMMER} efter"


def _xlsx(*cells: str) -> bytes:
    workbook = Workbook()
    workbook.active.append(list(cells))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _value(f: models.Field[Any, Any]) -> Any:
    """Any valid value for a required field, so every table can have a row."""
    if f.choices:
        return f.flatchoices[0][0]
    for kind, value in [
        (models.CharField | models.TextField, "x"),
        (models.BooleanField, False),
        (models.IntegerField | models.DecimalField | models.FloatField, 1),
        (models.DateTimeField, timezone.now()),
        (models.DateField, date(2024, 1, 1)),
        (models.DurationField, timedelta(0)),
        (models.UUIDField, uuid.uuid4()),
        (models.JSONField, {}),
        (models.BinaryField, b""),
        (models.FileField, ""),
    ]:
        if isinstance(f, kind):
            return value
    raise AssertionError(f"no test value for {f!r}")


def _a_row(model: type[models.Model]) -> models.Model:
    """The table's first row, or a new one written as an old database has it (no signals)."""
    if (row := model._base_manager.order_by("pk").first()) is not None:
        return row
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, models.AutoField) or (f.is_relation and f.null) or f.has_default():
            continue  # a value for every other column, so that check constraints hold
        values[f.attname] = _a_row(f.related_model).pk if f.is_relation else _value(f)
    model._base_manager.bulk_create([model(**values)])
    return model._base_manager.order_by("pk").first()


def _plant() -> dict[tuple[str, str, str], tuple[models.Field[Any, Any], Any]]:
    """A personnummer in every column of every table the registry knows: text with words around
    it where the column is long enough, JSON, a CSV and an .xlsx file. Written with update(), as
    an older version stored it (the gate would refuse a save)."""
    planted = {}
    for model in scan_models():
        row = _a_row(model)
        columns = scan_columns(model)
        values: dict[str, Any] = {}
        for f in columns.text:
            if f.max_length is not None and f.max_length < len(PERSONNUMMER):
                continue  # too short to hold any identity number (a municipality code)
            fits = f.max_length is None or f.max_length >= len(AROUND)
            values[f.attname] = AROUND if fits else PERSONNUMMER
        for f in columns.json:
            values[f.attname] = {"note": AROUND, "kept": ["ok"]}
        for index, f in enumerate(columns.files):
            csv = f"unit;description\nTäby;{AROUND}\n".encode()
            if isinstance(f, models.FileField):  # on disk: an attached letter
                letter = docx("Beslut", AROUND)
                values[f.attname] = f.storage.save("attachments/planted.docx", ContentFile(letter))
                continue
            values[f.attname] = _xlsx("Täby", AROUND) if index % 2 else csv
        model._base_manager.filter(pk=row.pk).update(**values)
        by_attname = {f.attname: f for f in columns.all}
        for attname, value in values.items():
            f = by_attname[attname]
            planted[(model._meta.db_table, f.column, str(row.pk))] = (f, value)
    return planted


def _run(*args: str) -> tuple[str, str, int]:
    """(stdout, stderr and the error, exit status) of one run."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("scan_personal_data", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + str(error), error.returncode
    return out.getvalue(), err.getvalue(), 0


def _history_rows() -> int:
    return sum(
        m._base_manager.count()
        for m in scan_models()
        if m._meta.object_name.startswith("Historical")
    )


@pytest.mark.django_db
def test_planted_data_in_every_table_is_found_and_redacted(staff: User) -> None:
    planted = _plant()
    assert {table for table, _, _ in planted} == {m._meta.db_table for m in scan_models()}
    assert {("deviations_job", "output"), ("deviations_job", "result")} <= {
        (table, column) for table, column, _ in planted
    }
    assert ("jobs_jobinput", "content") in {(table, column) for table, column, _ in planted}
    assert {"deviations_historicaldeviation", "barriers_historicalbarrier"} <= {
        table for table, _, _ in planted
    }
    User.objects.filter(pk=staff.pk).update(first_name=PERSONNUMMER, email="anna@exempel.se")
    Session.objects.create(
        session_key="k" * 32, session_data=AROUND, expire_date=timezone.now() + timedelta(days=1)
    )

    out, err, code = _run()
    report, json_err, json_code = _run("--json")
    found = json.loads(report)
    assert (code, json_code) == (1, 1)
    assert {(f["table"], f["column"], f["row"]) for f in found["findings"]} == set(planted)
    assert {f["kind"] for f in found["findings"]} == {"personnummer"}
    assert found["summary"]["tables"] == len(scan_models())
    assert len(out.splitlines()) == len(planted) + 1  # one line per finding and the summary
    assert not any(digits in out + err + report + json_err for digits in DIGITS)

    assert ("core_attachment", "file") in {(table, column) for table, column, _ in planted}
    files = sum(isinstance(f, models.BinaryField | models.FileField) for f, _ in planted.values())
    # The jobs' input and output, an attached file on disk, and the analysis snapshot (numbers
    # and references only, but a stored blob like the others: read, and dropped when it hits).
    assert files == 4

    history = _history_rows()
    out, err, code = _run("--redact")
    cells = len(planted) - files
    assert (code, f"Redacted {cells} cells; dropped {files} stored files" in out) == (0, True)
    assert (out.count("\tmasked\n"), out.count("\tfile dropped\n")) == (cells, files)
    assert not any(digits in out + err for digits in DIGITS)
    assert _run()[2] == 0
    assert _history_rows() == history  # redaction adds no history row that could hold anything
    for (table, column, pk), (f, value) in planted.items():
        stored = f.model._base_manager.filter(pk=pk).values_list(f.attname, flat=True).get()
        if isinstance(f, models.BinaryField):
            assert stored is None, (table, column)  # a stored file is dropped, not rewritten
            continue
        if isinstance(f, models.FileField):
            assert stored == "", (table, column)  # the row names no file: the file is gone
            assert not f.storage.exists(value), (table, column)
            continue
        shown = json.dumps(stored, ensure_ascii=False)
        assert not any(digits in shown for digits in DIGITS), (table, column)
        assert ("Före" in shown and "efter" in shown) == (value != PERSONNUMMER), (table, column)
        assert "[borttaget: personnummer]" in shown or "*" * len(PERSONNUMMER) in shown
    assert User.objects.get(pk=staff.pk).email == "anna@exempel.se"
    assert Session.objects.get(session_key="k" * 32).session_data == AROUND


@pytest.mark.django_db
def test_a_clean_database_exits_zero() -> None:
    out, _, code = _run()
    assert code == 0
    assert "0 cells with personal data" in out


def test_the_accounts_and_the_sessions_are_exempt_with_a_reason() -> None:
    assert scan_columns(User).all == []
    assert scan_columns(Session).all == []
    assert all(reason.strip() for reason in scan_module.SCAN_EXEMPT.values())


def test_the_history_of_an_exempt_model_is_exempt_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    history = Unit.history.model
    assert [f.name for f in scan_columns(history).text] == ["name", "history_change_reason"]
    monkeypatch.setitem(scan_module.SCAN_EXEMPT, "deviations.Unit", "a test")
    assert scan_columns(history).all == []


@pytest.mark.django_db
def test_a_table_can_be_named_and_an_unknown_one_is_refused(taby_unit: Unit) -> None:
    Unit.objects.filter(pk=taby_unit.pk).update(name=AROUND)
    out, _, code = _run("--table", "deviations_unit")
    assert (code, "Scanned 1 tables" in out, "deviations_unit\tname" in out) == (1, True, True)
    assert _run("--table", "deviations.unit")[2] == 1
    _, err, code = _run("--table", "no_such_table")
    assert (code, "Unknown table, or none to scan: no_such_table" in err) == (1, True)


@pytest.mark.django_db
def test_a_redaction_that_breaks_a_unique_name_is_rolled_back_and_named(taby_unit: Unit) -> None:
    other = Unit.objects.create(name="Enhet")
    Unit.objects.filter(pk=taby_unit.pk).update(name=f"Enhet {PERSONNUMMER}")
    Unit.objects.filter(pk=other.pk).update(name="Enhet 850312-2387")
    out, err, code = _run("--redact", "--table", "deviations_unit")
    assert code == 1
    assert "deviations_unit: redaction failed and was rolled back (IntegrityError)" in err
    assert out.count("left: the table was rolled back") == 2
    assert not any(digits in out + err for digits in DIGITS)
    assert Unit.objects.get(pk=other.pk).name == "Enhet 850312-2387"


@pytest.mark.django_db
def test_names_are_warnings_that_are_listed_on_request_and_never_redacted(taby_unit: Unit) -> None:
    Unit.objects.filter(pk=taby_unit.pk).update(name="Möte med Kalle Enqvist")
    assert _run("--table", "deviations_unit")[2] == 0
    out, err, code = _run("--names", "--redact", "--table", "deviations_unit")
    assert (code, "warning: possible name" in out, "Enqvist" in out + err) == (0, True, False)
    assert Unit.objects.get(pk=taby_unit.pk).name == "Möte med Kalle Enqvist"


def test_files_are_read_as_csv_in_either_encoding_or_as_spreadsheet_cells() -> None:
    assert file_kinds(f"a;{AROUND}\n".encode()) == {"personnummer": 1}
    assert file_kinds("a;Före 850312-2387 ö\n".encode("cp1252")) == {"personnummer": 1}
    assert file_kinds(_xlsx("ok", AROUND, "070-123 45 67")) == {"personnummer": 1, "phone": 1}
    assert file_kinds(b"a;b\n1;2\n") == {}


def test_the_text_of_an_attached_word_or_opendocument_file_is_read() -> None:
    assert file_kinds(docx("Beslut", AROUND, "070-123 45 67")) == {"personnummer": 1, "phone": 1}
    assert file_kinds(odt(AROUND)) == {"personnummer": 1}
    assert file_kinds(docx("Beslut enligt 27 kap. 2 § SFB")) == {}


def test_the_text_of_a_pdf_is_read() -> None:
    pdf = HTML(string=f"<p>Exempel: {AROUND}, ring 070-123 45 67.</p><p>27 kap. 2 § SFB</p>")
    assert file_kinds(pdf.write_pdf()) == {"personnummer": 1, "phone": 1}
    assert file_kinds(HTML(string="<p>27 kap. 2 § SFB</p>").write_pdf()) == {}


def test_a_file_that_cannot_be_read_is_reported_as_such() -> None:
    assert file_kinds(b"%PDF-1.7 broken") == {UNREADABLE: 1}
    locked = PdfWriter(clone_from=io.BytesIO(HTML(string="<p>Text</p>").write_pdf()))
    locked.encrypt("hemligt", algorithm="RC4-128")
    buffer = io.BytesIO()
    locked.write(buffer)
    assert file_kinds(buffer.getvalue()) == {UNREADABLE: 1}
    assert file_kinds(b"PK\x03\x04 broken") == {UNREADABLE: 1}
    assert file_kinds(b"\x00\x01binary") == {UNREADABLE: 1}


def test_a_number_across_a_block_of_lines_is_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module, "FILE_BLOCK_LINES", 2)
    lines = ["a\n", "b\n", "Före 850312\n", "2387 efter\n", "c\n", f"{PERSONNUMMER}\n"]
    assert file_kinds("".join(lines).encode()) == {"personnummer": 2}


def test_a_mask_that_would_not_fit_the_column_keeps_the_length() -> None:
    with translation.override("en"):
        assert pii_mask(AROUND) == "Före [removed: personal identity number] efter"
        assert pii_mask_json({PERSONNUMMER: [AROUND, 3]}) == {
            "[removed: personal identity number]": [pii_mask(AROUND), 3]
        }
    assert pii_mask(PERSONNUMMER, max_length=16) == "*" * len(PERSONNUMMER)
