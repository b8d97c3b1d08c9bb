"""Loading Stockholms län's mandate ladder (with the national level): its 18 groups, idempotent,
refusing inconsistent files. Every county's ladder: tests/barriers/test_ladders.py."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from barriers.catalogue import NATIONAL_FILE, steering_groups_load
from barriers.models import MandateLevel, SteeringGroup
from catalogue.schema import CatalogueError


@pytest.mark.django_db
def test_loads_the_ladder_of_domain_1_4() -> None:
    counts = steering_groups_load(county="stockholm")
    assert counts == {"created": 18, "updated": 0, "groups": 18}
    roslagen = SteeringGroup.objects.get(slug="styrelse-roslagen")
    assert roslagen.level == SteeringGroup.Level.FORBUND_BOARD
    assert roslagen.mandate == MandateLevel.LOCAL_ROUTINE
    assert roslagen.forbund is not None
    assert roslagen.forbund.slug == "roslagen"
    assert set(roslagen.municipalities.values_list("code", flat=True)) == {
        "0115",
        "0117",
        "0160",
        "0162",
        "0187",
        "0188",
    }
    riksdagen = SteeringGroup.objects.get(slug="riksdagen")
    assert riksdagen.mandate == MandateLevel.LAG
    assert not riksdagen.municipalities.exists()  # the whole area


@pytest.mark.django_db
def test_second_load_changes_nothing_and_writes_no_history() -> None:
    steering_groups_load(county="stockholm")
    history = SteeringGroup.history.count()
    assert steering_groups_load(county="stockholm") == {"created": 0, "updated": 0, "groups": 18}
    assert SteeringGroup.history.count() == history


@pytest.mark.django_db
def test_a_changed_mandate_is_updated(tmp_path: Path) -> None:
    steering_groups_load(county="stockholm")
    ladder = json.loads(NATIONAL_FILE.read_text(encoding="utf-8"))
    for row in ladder["groups"]:
        if row["slug"] == "nns":
            row["mandate"] = "regional_agreement"
    changed = tmp_path / "national.json"
    changed.write_text(json.dumps(ladder), encoding="utf-8")
    assert steering_groups_load(path=changed)["updated"] == 1
    assert SteeringGroup.objects.get(slug="nns").mandate == MandateLevel.REGIONAL_AGREEMENT


@pytest.mark.django_db
def test_inconsistent_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "steering_groups.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "slug": "x",
                    "name": "X",
                    "level": "county",
                    "mandate": "lag",
                    "municipalities": ["9999"],
                    "agencies": ["NOPE"],
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as excinfo:
        steering_groups_load(path=bad)
    message = str(excinfo.value)
    assert "level 'county'" in message
    assert "unknown municipality 9999" in message
    assert "unknown agency NOPE" in message
    assert not SteeringGroup.objects.exists()


@pytest.mark.django_db
def test_command_reports_counts() -> None:
    out = StringIO()
    call_command("load_steering_groups", "--county", "stockholm", stdout=out)
    assert "18 (18 created, 0 updated)" in out.getvalue()


def test_mandate_level_codes_match_the_catalogue() -> None:
    assert MandateLevel.from_code("agency_guideline") == MandateLevel.AGENCY_GUIDELINE
    assert MandateLevel.LAG.code == "lag"
    assert MandateLevel.LOCAL_ROUTINE < MandateLevel.REGIONAL_AGREEMENT < MandateLevel.LAG
