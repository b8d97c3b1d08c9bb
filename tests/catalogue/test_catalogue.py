"""The catalogue loader: complete, idempotent, and loud about inconsistent files."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.loader import catalogue_load
from catalogue.models import Agency, Forbund, Law, Municipality, Provision, ShippedRow, Term
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
    # Stockholms län (26), Skåne län (33) and Västra Götalands län (49): the counties with ladders.
    assert Municipality.objects.count() == 26 + 33 + 49
    assert Municipality.objects.get(code="1280").name == "Malmö"
    assert Municipality.objects.get(code="1480").name == "Göteborg"
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


def _shipped_copy(tmp_path: Path, sfs: str, **changes: object) -> Path:
    """The shipped catalogue with one law changed, as the next release would ship it."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    laws = json.loads((data_dir / "laws.json").read_text())
    next(row for row in laws if row["sfs"] == sfs).update(changes)
    (data_dir / "laws.json").write_text(json.dumps(laws, ensure_ascii=False))
    return data_dir


def _edit_as_admin(law: Law, admin: object, **values: object) -> None:
    """Save the way the admin does: simple_history records the person who saved."""
    for name, value in values.items():
        setattr(law, name, value)
    law._history_user = admin  # type: ignore[attr-defined]
    law.save()


@pytest.mark.django_db
def test_load_keeps_an_administrators_edit(admin_user: object) -> None:
    _edit_as_admin(Law.objects.get(sfs="2010:110"), admin_user, title="Socialförsäkringsbalken")
    counts = catalogue_load()
    assert Law.objects.get(sfs="2010:110").title == "Socialförsäkringsbalken"
    assert (counts["updated"], counts["kept_local"], counts["conflicts"]) == (0, 1, [])


@pytest.mark.django_db
def test_load_keeps_an_edit_made_without_history_too() -> None:
    """The remembered shipped values, not the audit trail, tell an edit: a shell update counts."""
    Law.objects.filter(sfs="2010:110").update(title="Fel titel")
    catalogue_load()
    assert Law.objects.get(sfs="2010:110").title == "Fel titel"


@pytest.mark.django_db
def test_a_shipped_change_reaches_a_row_nobody_edited(tmp_path: Path) -> None:
    catalogue_load(data_dir=_shipped_copy(tmp_path, "2010:110", title="Ny titel", note="Ny"))
    law = Law.objects.get(sfs="2010:110")
    assert (law.title, law.note) == ("Ny titel", "Ny")


@pytest.mark.django_db
def test_a_shipped_change_to_an_edited_field_is_a_reported_conflict(
    tmp_path: Path, admin_user: object, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_as_admin(Law.objects.get(sfs="2010:110"), admin_user, title="Lokal titel")
    data_dir = _shipped_copy(tmp_path, "2010:110", title="Ny titel", short_name="SFB2")
    call_command("load_catalogue", data_dir=data_dir)
    law = Law.objects.get(sfs="2010:110")
    assert law.title == "Lokal titel"  # the administrator's value stays
    assert law.short_name == "SFB2"  # a field the administrator left gets the new value
    out = capsys.readouterr().out
    assert (
        "Conflict: law 'SFB2 (2010:110)', field title: shipped 'Ny titel', local 'Lokal titel'"
        in out
    )
    assert "1 conflict(s)" in out
    call_command("load_catalogue", data_dir=data_dir)  # reported once per shipped change
    assert "Conflict" not in capsys.readouterr().out
    assert Law.objects.get(sfs="2010:110").title == "Lokal titel"


@pytest.mark.django_db
def test_a_shipped_row_an_administrator_deleted_stays_deleted() -> None:
    Term.objects.get(term="sjukpenning").delete()
    counts = catalogue_load()
    assert not Term.objects.filter(term="sjukpenning").exists()
    assert counts["kept_deleted"] == 1


@pytest.mark.django_db
def test_an_upgrading_site_keeps_edits_people_made_after_the_last_load(
    tmp_path: Path, admin_user: object
) -> None:
    """No shipped values remembered yet: history tells a person's edit from the old loader's."""
    ShippedRow.objects.all().delete()
    _edit_as_admin(Law.objects.get(sfs="2010:110"), admin_user, title="Lokal titel")
    Law.objects.filter(sfs="2017:30").update(title="Gammal titel")  # no user: a loader write
    counts = catalogue_load()
    assert Law.objects.get(sfs="2010:110").title == "Lokal titel"
    assert Law.objects.get(sfs="2017:30").title == "Hälso- och sjukvårdslag"
    assert [(c.table, c.field, c.local) for c in counts["conflicts"]] == [
        ("law", "title", "Lokal titel")
    ]


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


@pytest.mark.django_db
def test_a_title_edited_in_the_admin_survives_an_upgrade(
    tmp_path: Path, admin_user: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from django.test import Client

    client = Client()
    client.force_login(admin_user)  # type: ignore[arg-type]
    law = Law.objects.get(sfs="2010:110")
    url = f"/admin/catalogue/law/{law.pk}/change/"
    page = client.get(url).content.decode()
    data = dict(
        re.findall(
            r'<input type="(?:text|hidden|number|date)" name="([^"]+)" value="([^"]*)"', page
        )
    )
    data.update(
        {
            "title": "Socialförsäkringsbalken (lokal)",
            "kind": law.kind,
            "abbreviations": json.dumps(law.abbreviations),
            "name_forms": json.dumps(law.name_forms),
            "note": law.note,
            "agencies": [a.pk for a in law.agencies.all()],
        }
    )
    data.update({f: "on" for f in ("has_chapters", "verified", "confirmed") if getattr(law, f)})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert law.history.first().history_user == admin_user
    call_command("load_catalogue", data_dir=_shipped_copy(tmp_path, "2010:110", title="Ny"))
    assert Law.objects.get(sfs="2010:110").title == "Socialförsäkringsbalken (lokal)"
    assert "1 conflict(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_newly_shipped_row_is_added(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    terms = json.loads((data_dir / "terms.json").read_text())
    terms.append({**next(t for t in terms if t["term"] == "sjukpenning"), "term": "sjukpengen x"})
    (data_dir / "terms.json").write_text(json.dumps(terms, ensure_ascii=False))
    counts = catalogue_load(data_dir=data_dir)
    assert Term.objects.filter(term="sjukpengen x").exists()
    assert counts["created"] == 1
