"""The catalogue loader: complete, idempotent, and loud about inconsistent files."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.loader import catalogue_load
from catalogue.models import Agency, Forbund, Law, Municipality, Provision, Term
from catalogue.schema import DATA_DIR, CatalogueError, read_catalogue

CONTRACT_AGENCIES = {
    "FK",
    "AF",
    "KOMMUN",
    "REGION",
    "AKASSA",
    "CSN",
    "MIGRATIONSVERKET",
    "KRONOFOGDEN",
    "SKATTEVERKET",
    "PENSIONSMYNDIGHETEN",
    "KRIMINALVARDEN",
    "FORBUND",
    "ARBETSGIVARE",
}


def test_catalogue_files_are_consistent() -> None:
    data = read_catalogue()
    assert len(data.laws) >= 35
    assert len(data.provisions) >= 100


@pytest.mark.django_db
def test_catalogue_is_complete_after_load() -> None:
    assert set(Agency.objects.values_list("code", flat=True)) == CONTRACT_AGENCIES
    assert Municipality.objects.count() == 26
    assert Municipality.objects.get(code="0160").name == "Täby"
    assert Municipality.objects.get(code="0180").name == "Stockholm"
    assert Law.objects.filter(sfs__isnull=False).count() >= 35
    assert Provision.objects.count() >= 100
    assert Forbund.objects.filter(municipalities__isnull=False).distinct().count() >= 5
    assert Term.objects.count() >= 40


@pytest.mark.django_db
def test_key_facts_from_the_domain_notes_are_in_the_catalogue() -> None:
    sfb = Law.objects.get(sfs="2010:110")
    assert "SFB" in sfb.abbreviations
    assert Provision.objects.get(tag_id="prov:2010:110#K27P48").law == sfb
    old_sol, new_sol = Law.objects.get(sfs="2001:453"), Law.objects.get(sfs="2025:400")
    assert old_sol.replaced_by == new_sol
    assert str(old_sol.in_force_to) == "2025-06-30"
    assert str(new_sol.in_force_from) == "2025-07-01"
    assert Provision.objects.get(tag_id="prov:2025:400#K20P2").verified


@pytest.mark.django_db
def test_unverified_facts_are_marked_not_dropped() -> None:
    assert Law.objects.filter(verified=False).exists()
    assert Provision.objects.filter(verified=False).exists()


@pytest.mark.django_db
def test_second_load_changes_nothing_and_writes_no_history() -> None:
    history_before = (Law.history.count(), Provision.history.count(), Term.history.count())
    counts = catalogue_load()
    assert (counts["created"], counts["updated"]) == (0, 0)
    assert (Law.history.count(), Provision.history.count(), Term.history.count()) == (
        history_before
    )


@pytest.mark.django_db
def test_load_repairs_a_changed_row(capsys: pytest.CaptureFixture[str]) -> None:
    Law.objects.filter(sfs="2010:110").update(title="Fel titel")
    call_command("load_catalogue")
    assert Law.objects.get(sfs="2010:110").title == "Socialförsäkringsbalk"
    out = capsys.readouterr().out
    assert "1 updated" in out
    assert "Roles: admin, analyst, staff, steering" in out


@pytest.mark.django_db
def test_load_catalogue_gives_the_roles_their_permissions() -> None:
    """A production install runs load_catalogue, not the demo set-up: the roles come with it."""
    from django.contrib.auth.models import Group

    Group.objects.all().delete()
    call_command("load_catalogue")
    analyst = Group.objects.get(name="analyst")
    assert analyst.permissions.filter(codename="view_all_deviations").exists()


@pytest.mark.django_db
def test_inconsistent_files_are_refused_with_every_problem_named(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    provisions = json.loads((data_dir / "provisions.json").read_text())
    provisions.append({"law": "1999:999", "chapter": "1", "section": "1"})
    (data_dir / "provisions.json").write_text(json.dumps(provisions))
    terms = json.loads((data_dir / "terms.json").read_text())
    terms.append({"term": "påhittat", "targets": [{"tag": "prov:2010:110#K999P1"}]})
    (data_dir / "terms.json").write_text(json.dumps(terms))
    with pytest.raises(CatalogueError) as excinfo:
        read_catalogue(data_dir)
    assert "1999:999" in str(excinfo.value)
    assert "K999P1" in str(excinfo.value)
    with pytest.raises(CommandError, match="not consistent"):
        call_command("load_catalogue", data_dir=data_dir)
