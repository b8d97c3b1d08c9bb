"""The tagger's catalogue built straight from the JSON files equals the one built from the
database after `load_catalogue`, so the benchmark and the fast tests measure what filing uses."""

from __future__ import annotations

import json
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from catalogue.loader import catalogue_load
from catalogue.schema import DATA_DIR, CatalogueError
from catalogue.selectors import tag_catalogue
from catalogue.tagger_catalogue import catalogue_from_files
from catalogue.tagging import TagCatalogue, suggest_tags

TEXTS = [
    ("FK avslog enl 27 kap 48§ SFB, soc kräver inskrivning på Af.", date(2024, 3, 1)),
    ("Soc avslog försörjningsstöd enl 4 kap. 1 § SoL och SIP hölls utan FK.", date(2025, 9, 2)),
    ("SIP hölls utan FK; psykiatrin och kommunen kom, a-kassan nekade.", date(2025, 6, 30)),
    (
        "Af hänvisar till 28 kap. 11 § OSL och 5 kap. 2 a § förordningen (2017:819).",
        date(2023, 1, 5),
    ),
    ("Kronofogden, CSN och frivården har inte svarat om löneutmätning.", date(2026, 2, 1)),
]


def _summary(catalogue: TagCatalogue) -> dict[str, object]:
    return {
        "laws": catalogue.laws,
        "agencies": catalogue.agencies,
        "terms": sorted(catalogue.terms, key=lambda term: term.term),
        "provisions": catalogue.provisions,
    }


@pytest.mark.django_db
def test_files_and_database_give_the_same_catalogue() -> None:
    from_db, from_files = tag_catalogue(), catalogue_from_files()
    assert len(from_files.laws) >= 35
    assert _summary(from_files) == _summary(from_db)


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "on"), TEXTS)
def test_files_and_database_give_the_same_suggestions(text: str, on: date) -> None:
    from_db = suggest_tags(text, on=on, catalogue=tag_catalogue())
    from_files = suggest_tags(text, on=on, catalogue=catalogue_from_files())
    assert from_files
    assert from_files == from_db


def test_inconsistent_files_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    terms = json.loads((data / "terms.json").read_text(encoding="utf-8"))
    terms[0]["targets"] = [{"tag": "law:1999:999"}]
    (data / "terms.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown law in law:1999:999"):
        catalogue_from_files(data)


@pytest.mark.django_db
def test_tag_text_gives_what_the_file_catalogue_gives() -> None:
    """docs/contracts.md §2 end to end: the command reads the database catalogue."""
    lines = [
        json.dumps({"id": str(n), "text": t, "date": on.isoformat()})
        for n, (t, on) in enumerate(TEXTS)
    ]
    out = StringIO()
    call_command("tag_text", stdin=StringIO("\n".join([*lines, "{broken"]) + "\n"), stdout=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == [str(n) for n in range(len(TEXTS))] + [None]
    assert "error" in results[-1]
    catalogue = catalogue_from_files()
    for result, (text, on) in zip(results, TEXTS, strict=False):
        expected = suggest_tags(text, on=on, catalogue=catalogue)
        assert [t["id"] for t in result["tags"]] == [s.tag_id for s in expected]
        for tag in result["tags"]:
            assert tag["kind"] in {"agency", "law", "provision"}
            assert tag["rule"]
            assert all(text[a:b].strip() for a, b in tag["spans"])
        assert result["pii"] == []


@pytest.mark.django_db
def test_a_loaded_catalogue_is_tagged_at_once_in_the_same_process(tmp_path: Path) -> None:
    """The tagger's view is kept per process for two seconds; loading forgets it at once."""
    assert not suggest_tags(
        "Vi fick ett brev om knutordet.", on=date(2026, 3, 1), catalogue=tag_catalogue()
    )
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    terms = json.loads((data / "terms.json").read_text(encoding="utf-8"))
    terms.append({"term": "knutordet", "targets": [{"tag": "agency:FK"}]})
    (data / "terms.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    catalogue_load(data_dir=data)
    found = suggest_tags(
        "Vi fick ett brev om knutordet.", on=date(2026, 3, 1), catalogue=tag_catalogue()
    )
    assert [s.tag_id for s in found] == ["agency:FK"]
