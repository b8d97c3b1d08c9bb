"""Versions and concordance in the catalogue: the data, its checks, concepts and labels
(docs/domain.md §5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from catalogue.concordance import concept_map, versions_by_concept
from catalogue.loader import catalogue_load
from catalogue.models import CatalogueConflict, Concordance, Law, Provision
from catalogue.schema import DATA_DIR, CatalogueError, read_catalogue
from catalogue.selectors import catalogue_changed, concepts, labels_for

OLD_BISTAND, NEW_BISTAND = "prov:2001:453#K4P1", "prov:2025:400#K12P1"


def test_chains_are_followed_to_the_newest_version() -> None:
    mapping = concept_map(
        successors={"1980:620": "2001:453", "2001:453": "2025:400"},
        continuations=[("prov:1980:620#P6", OLD_BISTAND), (OLD_BISTAND, NEW_BISTAND)],
    )
    assert mapping["law:1980:620"] == mapping["law:2001:453"] == "law:2025:400"
    assert mapping["prov:1980:620#P6"] == mapping[OLD_BISTAND] == NEW_BISTAND
    assert "law:2025:400" not in mapping  # the newest version is its own concept
    assert versions_by_concept(mapping)[NEW_BISTAND] == (
        "prov:1980:620#P6",
        OLD_BISTAND,
        NEW_BISTAND,
    )


def test_a_cycle_in_edited_data_ends_instead_of_looping() -> None:
    cycle = {"2001:453": "2025:400", "2025:400": "2001:453"}
    mapping = concept_map(successors=cycle, continuations=[])
    assert set(mapping) == {"law:2001:453", "law:2025:400"}


@pytest.mark.django_db
def test_the_shipped_concordance_is_loaded_with_its_sources() -> None:
    line = Concordance.objects.get(old__tag_id=OLD_BISTAND, new__tag_id=NEW_BISTAND)
    assert line.main
    assert line.verified
    assert "2025:400" in line.source
    split = Concordance.objects.get(old__tag_id=OLD_BISTAND, new__tag_id="prov:2025:400#K12P3")
    assert not split.main  # the second paragraph went to 12 kap. 3 §
    mapping = concepts()
    assert mapping[OLD_BISTAND] == NEW_BISTAND
    assert "prov:2025:400#K12P3" not in mapping
    assert mapping["law:2001:453"] == "law:2025:400"
    assert mapping["law:1997:238"] == "law:2024:506"  # the two ALF versions
    assert Law.objects.get(sfs="2010:110").source  # every law's source is kept


def test_every_concordance_line_has_a_source_and_resolves() -> None:
    data = read_catalogue()
    assert data.concordance, "the shipped concordance is empty"
    laws = {law["sfs"]: law for law in data.laws if law["sfs"]}
    for line in data.concordance:
        assert line["source"].strip()
        old_law = laws[line["old"]["law"]]
        for new in line["new"]:
            assert new["law"] != line["old"]["law"]
            assert new["law"] in laws
        # The old provision's law was replaced (directly or in a chain) by the new one's.
        chain, sfs = [], old_law["sfs"]
        while sfs and sfs not in chain:
            chain.append(sfs)
            sfs = laws[sfs].get("replaced_by")
        assert line["new"][0]["law"] in chain, line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"old": {"law": "2001:453", "chapter": "4", "section": "1"}, "new": [], "source": "x"},
            "new must list at least one provision",
        ),
        (
            {
                "old": {"law": "2001:453", "chapter": "4", "section": "3"},
                "new": [{"law": "2001:453", "chapter": "4", "section": "4"}],
                "source": "x",
            },
            "old and new provision are of the same law",
        ),
        (
            {
                "old": {"law": "1111:1", "chapter": "4", "section": "3"},
                "new": [{"law": "2025:400", "chapter": "12", "section": "1"}],
                "source": "x",
            },
            "unknown law 1111:1",
        ),
        (
            {
                "old": {"law": "2001:453", "chapter": "9", "section": "1"},
                "new": [{"law": "2025:400", "chapter": "12", "section": "1"}],
                "source": " ",
            },
            "the source is empty",
        ),
        (
            {
                "old": {"law": "2001:453", "chapter": "4", "section": "1"},
                "new": [{"law": "2025:400", "chapter": "12", "section": "1"}],
                "source": "x",
            },
            "is listed twice",
        ),
    ],
)
def test_a_bad_concordance_line_is_refused(tmp_path: Path, line: dict, message: str) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    lines = json.loads((data_dir / "concordance.json").read_text())
    (data_dir / "concordance.json").write_text(json.dumps([*lines, line]))
    with pytest.raises(CatalogueError, match=message):
        read_catalogue(data_dir)


@pytest.mark.django_db
def test_a_line_naming_a_provision_not_yet_listed_creates_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    lines = json.loads((data_dir / "concordance.json").read_text())
    lines.append(
        {
            "old": {"law": "2001:453", "chapter": "3", "section": "1"},
            "new": [{"law": "2025:400", "chapter": "9", "section": "99"}],
            "description": "Provrad",
            "source": "test",
        }
    )
    (data_dir / "concordance.json").write_text(json.dumps(lines))
    catalogue_load(data_dir=data_dir)
    catalogue_changed()
    created = Provision.objects.get(tag_id="prov:2025:400#K9P99")
    assert created.confirmed
    assert not created.verified
    assert created.description == "Provrad"
    assert concepts()["prov:2001:453#K3P1"] == "prov:2025:400#K9P99"


@pytest.mark.django_db
def test_labels_tell_versions_apart_and_leave_single_laws_short() -> None:
    catalogue_changed()
    assert labels_for(["law:2001:453", "law:2025:400", OLD_BISTAND, NEW_BISTAND]) == [
        "SoL (2001:453)",
        "SoL (2025:400)",
        "4 kap. 1 § SoL (2001:453)",
        "12 kap. 1 § SoL (2025:400)",
    ]
    assert labels_for(["law:1997:238", "law:2024:506"]) == ["ALF (1997:238)", "ALF (2024:506)"]
    assert labels_for(["law:2010:110", "prov:2010:110#K27P2"]) == ["SFB", "27 kap. 2 § SFB"]
    # A provision created on first use of a versioned law says which version, too.
    assert labels_for(["prov:2025:400#K11P1"]) == ["11 kap. 1 § SoL (2025:400)"]
    assert str(Provision.objects.get(tag_id=OLD_BISTAND)) == "4 kap. 1 § SoL (2001:453)"


@pytest.mark.django_db
def test_a_conflict_is_kept_for_the_admin_to_review(tmp_path: Path, admin_user: object) -> None:
    law = Law.objects.get(sfs="2010:110")
    law.title = "Lokal titel"
    law._history_user = admin_user  # as the admin saves it
    law.save()
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    laws = json.loads((data_dir / "laws.json").read_text())
    next(row for row in laws if row["sfs"] == "2010:110")["title"] = "Ny titel"
    (data_dir / "laws.json").write_text(json.dumps(laws, ensure_ascii=False))
    call_command("load_catalogue", data_dir=data_dir)
    conflict = CatalogueConflict.objects.get(field="title")
    assert (conflict.local, conflict.shipped) == ("Lokal titel", "Ny titel")
    client = Client()
    client.force_login(admin_user)  # type: ignore[arg-type]
    page = client.get("/admin/catalogue/catalogueconflict/").content.decode()
    assert "Lokal titel" in page
    assert "Ny titel" in page
    call_command("load_catalogue", data_dir=data_dir)  # reported once: still one row
    assert CatalogueConflict.objects.count() == 1
