"""`import_sfs_register`: a register file fills the catalogue with every statute, row by row,
without ever changing a shipped or confirmed law, and the tagger knows the new laws at once."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import Law
from catalogue.register import RegisterFileError, RowError, import_register, parse_row
from catalogue.selectors import tag_catalogue
from catalogue.tagging import suggest_tags

DATA = Path(__file__).resolve().parents[1] / "data" / "register"
RIKSDAGEN, CSV = DATA / "riksdagen.json", DATA / "register.csv"
pytestmark = pytest.mark.django_db


def laws_in(text: str) -> set[str]:
    found = suggest_tags(text, on=date(2032, 3, 1), catalogue=tag_catalogue())
    return {s.tag_id for s in found if s.tag_id.startswith("law:")}


def test_riksdag_json_creates_unconfirmed_laws_and_reports_bad_documents():
    report = import_register(RIKSDAGEN)
    assert (report.read, report.created, report.kept) == (3, 2, 1)
    assert report.problems == [
        "document 4: SFS number '2031-14' is not an SFS number (YYYY:N, e.g. 2010:110)",
        "document 5: 2031:15 has no title (title / titel)",
    ]
    law = Law.objects.get(sfs="2031:12")
    assert law.title == "Lag om syntetiska provärenden"  # the number is not part of the name
    assert (law.kind, law.confirmed, law.verified) == ("lag", False, False)
    assert law.in_force_from == date(2032, 1, 1)
    assert Law.objects.get(sfs="2031:13").kind == "forordning"
    assert law.history.first().history_change_reason == "statute register import"


def test_a_shipped_law_is_never_overwritten():
    import_register(RIKSDAGEN)
    assert Law.objects.get(sfs="2010:110").title == "Socialförsäkringsbalk"


def test_a_confirmed_row_is_kept_and_an_unconfirmed_one_filled_in():
    Law.objects.create(sfs="2031:13", title="Förordning som en admin skrev", confirmed=True)
    Law.objects.create(sfs="2031:12", title="SFS 2031:12", confirmed=False)
    report = import_register(RIKSDAGEN)
    assert (report.created, report.updated, report.kept) == (0, 1, 2)
    assert Law.objects.get(sfs="2031:13").title == "Förordning som en admin skrev"
    assert Law.objects.get(sfs="2031:12").title == "Lag om syntetiska provärenden"


def test_csv_links_successors_and_reports_each_bad_line():
    report = import_register(CSV)
    assert report.created == 3
    assert report.problems == [
        "line 4: in force from '2031-13-45' is not a YYYY-MM-DD date",
        "line 6: has no SFS number (sfs / beteckning)",
        "line 7: has more fields than the header",
        "line 8: 2031:19: repealed on 2031-01-01 is not after in force from",
        "line 5: 2031:17 is replaced by 2099:1, which is not in the register",
    ]
    old = Law.objects.get(sfs="2030:5")
    assert old.replaced_by == Law.objects.get(sfs="2031:12")
    assert old.in_force_to == date(2031, 6, 30)  # the day before it was repealed
    assert old.abbreviations == ["LÄSP"]


def test_a_second_import_changes_nothing():
    import_register(CSV)
    again = import_register(CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_dry_run_writes_nothing():
    report = import_register(CSV, dry_run=True)
    assert report.created == 3
    assert not Law.objects.filter(sfs="2030:5").exists()


def test_the_tagger_knows_an_imported_law_by_number_title_and_abbreviation():
    text = "Beslutet följer lagen om syntetiska provärenden."
    assert laws_in(text) == set()
    call_command("import_sfs_register", str(CSV), stdout=io.StringIO(), stderr=io.StringIO())
    assert laws_in(text) == {"law:2031:12"}
    assert laws_in("enligt 4 § LSP") == {"law:2031:12"}
    assert laws_in("se lag (2030:5) om äldre syntetiska provärenden") == {"law:2030:5"}


def test_command_prints_a_summary_and_skipped_rows():
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sfs_register", str(RIKSDAGEN), "--dry-run", stdout=out, stderr=err)
    assert "Dry run, nothing written: 3 statutes read, 2 created" in out.getvalue()
    assert "skipped document 4: SFS number '2031-14'" in err.getvalue()


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ("titel;beteckning\n", "csv", "the CSV header lacks sfs, title"),
        ("{not json", "json", "not valid JSON"),
        ('{"dokumentlista": {"sida": 1}}', "json", '{"dokumentlista": {"dokument": [...]}}'),
        ("sfs,title", "xml", "unknown format 'xml'"),
    ],
)
def test_an_unreadable_file_is_a_clear_error(tmp_path: Path, content: str, fmt: str, message: str):
    path = tmp_path / "register.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegisterFileError, match=message.replace("[", r"\[").replace("{", r"\{")):
        import_register(path, fmt=fmt)


def test_a_missing_file_is_a_command_error(tmp_path: Path):
    with pytest.raises(CommandError, match="cannot open"):
        call_command("import_sfs_register", str(tmp_path / "none.csv"))


def test_json_lines_are_read_line_by_line_with_bad_lines_reported(tmp_path: Path):
    path = tmp_path / "register.jsonl"
    path.write_text(
        '{"beteckning": "2031:20", "titel": "Lag (2031:20) om rader"}\n'
        "{broken\n"
        '{"beteckning": "2031:21", "titel": "Lag om fler rader"}\n',
        encoding="utf-8",
    )
    report = import_register(path)
    assert report.created == 2
    assert len(report.problems) == 1
    assert report.problems[0].startswith("line 2: is not valid JSON")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"sfs": "2031:1", "title": "Lag om x", "kind": "dekret"}, "kind 'dekret'"),
        ({"sfs": "2031:1", "title": "Lag om x", "replaced_by": "2031:1"}, "cannot replace itself"),
        ({"sfs": "2031:1", "title": "x" * 301}, "longer than 300"),
        (["2031:1", "Lag om x"], "is not an object"),
    ],
)
def test_parse_row_says_what_is_wrong(raw: object, reason: str):
    with pytest.raises(RowError, match=reason):
        parse_row(raw)  # type: ignore[arg-type]
