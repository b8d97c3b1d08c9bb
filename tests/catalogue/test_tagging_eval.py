"""The tagger and the PII finder on the labelled dev set, scored as docs/tagging.md §12 says,
plus the scoring itself and the `evaluate_tagger` command.

The dev set is tests/data/tagging-dev.jsonl; docs/tagging.md §10–§11 describe it and its gold.
"""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.tagging.evaluation import (
    KINDS,
    EvalFormatError,
    LabelledText,
    Prediction,
    Score,
    evaluate,
    format_report,
    read_labelled,
    score_sets,
    tagger_predictor,
)
from privacy.pii import find_pii
from tests.catalogue.shipped import default_catalogue

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "tagging-dev.jsonl"
MIN_F1 = 0.90


def _dev_items() -> list[LabelledText]:
    assert DEV_SET.is_file(), f"the labelled dev set is missing: {DEV_SET}"
    return read_labelled(DEV_SET.read_text(encoding="utf-8").splitlines())


def test_dev_set_is_complete() -> None:
    items = _dev_items()
    assert len(items) == 80
    assert all(item.tags for item in items)
    assert sum(len(item.pii) for item in items) > 0


@pytest.mark.parametrize("kind", KINDS)
def test_tagger_reaches_f1_on_the_dev_set(kind: str) -> None:
    report = evaluate(_dev_items(), tagger_predictor(default_catalogue(), find_pii))
    score = report.scores[kind]
    wrong = [m for m in report.mistakes if m.kind == kind]
    assert score.f1 >= MIN_F1, format_report(report) + f"\n{kind} mistakes: {wrong}"


def test_scores_pool_pairs_over_texts() -> None:
    score = score_sets([({"a", "b"}, {"a"}), (set(), {"c"}), ({"d"}, {"d"})])
    assert (score.true_positives, score.false_positives, score.false_negatives) == (2, 1, 1)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 / 3)
    assert Score(0, 0, 0).f1 == 1.0
    assert Score(0, 3, 2).f1 == 0.0


def _item(ident: str, tags: set[str], pii: set[tuple[str, str]], text: str = "x") -> LabelledText:
    return LabelledText(ident, text, date(2024, 1, 1), frozenset(tags), frozenset(pii))


def test_evaluation_scores_each_kind_and_lists_the_mistakes() -> None:
    gold = [
        _item("t1", {"agency:FK", "law:2010:110"}, {("phone", "070-1")}, "070-1"),
        _item("t2", {"prov:2010:110#K27P48", "law:2010:110"}, set()),
    ]
    predictions = {
        "t1": Prediction(frozenset({"agency:FK", "agency:AF"}), frozenset({("phone", "070-1")})),
        "t2": Prediction(
            frozenset({"prov:2010:110#K27P48", "law:2010:110"}), frozenset({("name", "x")})
        ),
    }
    report = evaluate(gold, lambda item: predictions[item.id])
    assert report.scores["agency"] == Score(1, 1, 0)
    assert report.scores["law"] == Score(1, 0, 1)
    assert report.scores["provision"] == Score(1, 0, 0)
    assert report.scores["pii"] == Score(1, 1, 0)
    assert {(m.text_id, m.kind, m.error, m.value) for m in report.mistakes} == {
        ("t1", "agency", "false positive", "agency:AF"),
        ("t1", "law", "false negative", "law:2010:110"),
        ("t2", "pii", "false positive", "name: 'x'"),
    }
    text = format_report(report)
    assert "agency:AF" in text
    assert "t1" in text


def test_pii_is_scored_on_the_exact_substring() -> None:
    text = "ring 070-174 06 52 idag"
    gold = [_item("t", set(), {("phone", "070-174 06 52")}, text)]
    report = evaluate(gold, lambda item: Prediction(frozenset(), frozenset({("phone", "070-174")})))
    assert report.scores["pii"] == Score(0, 1, 1)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not valid JSON"),
        ('["a list"]', "line 1: expected a JSON object"),
        ('{"id": 7, "text": "x", "date": "2024-01-01", "tags": [], "pii": []}', "`id`"),
        ('{"id": "a", "text": "x", "date": "1 maj", "tags": [], "pii": []}', "`date`"),
        ('{"id": "a", "text": "x", "date": "2024-01-01", "tags": ["FK"], "pii": []}', "FK"),
        (
            '{"id": "a", "text": "x", "date": "2024-01-01", "tags": [], '
            '"pii": [{"type": "phone", "text": "070"}]}',
            "does not occur",
        ),
        (
            '{"id": "a", "text": "x", "date": "2024-01-01", "tags": [], '
            '"pii": [{"type": "shoe size", "text": "x"}]}',
            "unknown pii type",
        ),
    ],
)
def test_bad_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(EvalFormatError, match=message):
        read_labelled([line])


def test_duplicate_ids_and_empty_files_are_refused() -> None:
    line = '{"id": "a", "text": "x", "date": "2024-01-01", "tags": [], "pii": []}'
    with pytest.raises(EvalFormatError, match="line 2: id 'a' occurs twice"):
        read_labelled([line, line])
    with pytest.raises(EvalFormatError, match="no labelled texts"):
        read_labelled(["", "  "])


@pytest.mark.django_db
def test_command_scores_the_dev_set_with_the_database_catalogue() -> None:
    out = StringIO()
    call_command("evaluate_tagger", str(DEV_SET), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["texts"] == 80
    assert set(report["scores"]) == {"agency", "law", "provision", "pii"}
    for kind in KINDS:
        assert report["scores"][kind]["f1"] >= MIN_F1


def test_command_prints_a_table_from_the_data_files() -> None:
    out = StringIO()
    call_command("evaluate_tagger", str(DEV_SET), "--from-files", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "80 texts"
    assert [line.split()[0] for line in lines[2:6]] == ["agency", "law", "provision", "pii"]


def test_command_refuses_a_bad_file_with_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "a", "text": "x", "date": "2024-01-01", "tags": [], "pii": []}\n{oops\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="line 2: not valid JSON"):
        call_command("evaluate_tagger", str(bad), "--from-files")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("evaluate_tagger", str(tmp_path / "missing.jsonl"), "--from-files")


def test_false_positives_show_the_words_and_rule_behind_them() -> None:
    item = _item("t", {"agency:FK"}, set(), "FK och soc väntar")
    report = evaluate([item], tagger_predictor(default_catalogue(), find_pii))
    (mistake,) = report.mistakes
    assert (mistake.value, mistake.error) == ("agency:KOMMUN", "false positive")
    assert mistake.evidence == "agency abbreviation: 'soc'"
    assert "(agency abbreviation: 'soc')" in format_report(report)
