"""The open world (docs/tagging.md): nothing the tagger suggests can block a submission, any law
or provision reference is created unconfirmed on first use, and a chip disappears only when a
person removes it (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from api.serializers.catalogue import ProvisionSerializer
from catalogue.models import Law, Provision
from catalogue.selectors import tag_catalogue
from catalogue.services import references_register, titles_written_out
from catalogue.tagging import suggest_tags
from deviations import rules
from deviations.models import Deviation, Draft, Tagging, Unit, User
from tests.factories import DeviationFactory

SUFFIX = " Personen fick vänta länge på besked och ärendet gick fram och tillbaka."
# Text, event date, and the provision each must give (none of them is in the shipped catalogue).
CASES = {
    "SoL 13:1": ("Kommunen hänvisar till 13 kap. 1 § SoL.", "2025-09-01", "prov:2025:400#K13P1"),
    "SFB 27:20": ("FK hänvisar till 27 kap. 20 § SFB.", "2026-01-12", "prov:2010:110#K27P20"),
    "SFB 28:6": ("FK hänvisar till 28 kap. 6 § SFB.", "2026-01-12", "prov:2010:110#K28P6"),
    "HSL 6:1": ("Regionen hänvisar till 6 kap. 1 § HSL.", "2026-01-12", "prov:2017:30#K6P1"),
}
LABELS = {
    "prov:2025:400#K13P1": "13 kap. 1 §",
    "prov:2010:110#K27P20": "27 kap. 20 §",
    "prov:2010:110#K28P6": "28 kap. 6 §",
    "prov:2017:30#K6P1": "6 kap. 1 §",
}


def _suggested(client: Client | APIClient, text: str, on: str) -> list[dict[str, str]]:
    response = client.post(
        reverse("tagging-suggest"), {"text": text, "date": on}, content_type="application/json"
    )
    assert response.status_code == 200
    return list(response.json()["tags"])


def _form(unit: Unit, text: str, on: str, tags: list[str], **extra: str) -> dict[str, object]:
    return {
        "description": text,
        "occurred_on": on,
        "unit": str(unit.pk),
        "municipality": str(unit.municipalities.get(code="0160").pk),
        "category": "work_capacity",
        "action": "submit",
        "tags_edited": "on",
        "tags": tags,
        **extra,
    }


def _assert_created_unconfirmed(deviation: Deviation, tag: str) -> None:
    tagging = deviation.taggings.get(tag_id=tag)
    assert tagging.state != Tagging.State.REJECTED
    provision = Provision.objects.get(tag_id=tag)
    assert provision.confirmed is False
    assert provision.law.confirmed is True  # the law was shipped; only the section is new


@pytest.mark.parametrize("case", CASES)
def test_a_cited_provision_outside_the_catalogue_files_by_form(
    staff_client: Client, taby_unit: Unit, case: str
) -> None:
    text, on, tag = CASES[case]
    suggested = _suggested(staff_client, text + SUFFIX, on)
    chip = next(s for s in suggested if s["id"] == tag)
    assert chip["label"].startswith(LABELS[tag])  # a built label, never the raw id
    chips = [s["id"] for s in suggested]  # what the chips send when the person changes nothing
    response = staff_client.post(
        reverse("deviations:create"), _form(taby_unit, text + SUFFIX, on, chips)
    )
    assert response.status_code == 302, response.context["form"].errors
    _assert_created_unconfirmed(Deviation.objects.get(), tag)


@pytest.mark.parametrize("case", CASES)
def test_a_cited_provision_outside_the_catalogue_files_by_api(
    api: APIClient, taby_unit: Unit, case: str
) -> None:
    text, on, tag = CASES[case]
    body = {
        "occurred_on": on,
        "unit": taby_unit.pk,
        "municipality": "0160",
        "description": text + SUFFIX,
        "category": "work_capacity",
        "tags": [tag, "law:2007:1091"],
    }
    response = api.post("/api/v1/deviations/", body, format="json")
    assert response.status_code == 201, response.json()
    deviation = Deviation.objects.get(reference=response.json()["reference"])
    _assert_created_unconfirmed(deviation, tag)
    law = Law.objects.get(sfs="2007:1091")
    assert (law.confirmed, law.title) == (False, "SFS 2007:1091")


def test_a_malformed_tag_is_refused_with_a_reason_and_nothing_is_lost(
    api: APIClient, staff_client: Client, taby_unit: Unit
) -> None:
    text = "Kommunen hänvisar till 13 kap. 1 § SoL." + SUFFIX
    body = {
        "occurred_on": "2025-09-01",
        "unit": taby_unit.pk,
        "municipality": "0160",
        "description": text,
        "category": "work_capacity",
        "tags": ["prov:2025:400#X11"],
    }
    response = api.post("/api/v1/deviations/", body, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "tags: Inte en giltig tagg: prov:2025:400#X11. Taggar skrivs som agency:FK"
    )
    form = _form(taby_unit, text, "2025-09-01", ["prov:2025:400#K13P1", "law:1000:1"])
    page = staff_client.post(reverse("deviations:create"), form, HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 400
    assert page.context["form"].errors["tags"] == [
        "Inget SFS-nummer: law:1000:1. Ett SFS-nummer är ett år från 1600 till 2099 och ett "
        "löpnummer, t.ex. 2010:110."
    ]
    assert not Deviation.objects.exists()
    # The well-formed chip comes back with its label; the person decides about the other one.
    chips = {c["id"]: c["label"] for c in page.context["chips"]}
    assert chips["prov:2025:400#K13P1"].startswith("13 kap. 1 §")
    assert "law:1000:1" in chips


def test_chips_survive_a_validation_error_and_a_draft_reload(
    staff_client: Client, staff: User, taby_unit: Unit
) -> None:
    text = "Kommunen hänvisar till 13 kap. 1 § SoL." + SUFFIX
    chips = ["agency:KOMMUN", "prov:2025:400#K13P1", "law:1998:204"]
    form = _form(taby_unit, text, "2025-09-01", chips, category="")
    response = staff_client.post(reverse("deviations:create"), form)
    assert response.status_code == 400  # no category
    assert [c["id"] for c in response.context["chips"]] == chips
    html = response.content.decode()
    assert 'value="prov:2025:400#K13P1" data-label="13 kap. 1 §' in html
    assert 'value="law:1998:204" data-label="SFS 1998:204"' in html

    draft = Draft.objects.get(owner=staff)
    reloaded = staff_client.get(reverse("deviations:draft", kwargs={"key": draft.key}))
    assert [c["id"] for c in reloaded.context["chips"]] == chips

    form = _form(taby_unit, text, "2025-09-01", chips, draft=str(draft.key))
    filed = staff_client.post(reverse("deviations:draft", kwargs={"key": draft.key}), form)
    assert filed.status_code == 302
    deviation = Deviation.objects.get()
    rejected = set(
        deviation.taggings.filter(state=Tagging.State.REJECTED).values_list("tag_id", flat=True)
    )
    assert not rejected & set(chips)  # nobody removed them, so none is recorded as rejected
    assert Law.objects.get(sfs="1998:204").confirmed is False


def test_analysts_see_a_tag_created_from_use_as_not_verified(
    staff_client: Client, analyst_client: Client, taby_unit: Unit
) -> None:
    text = "Kommunen hänvisar till 13 kap. 1 § SoL." + SUFFIX
    staff_client.post(
        reverse("deviations:create"),
        _form(taby_unit, text, "2025-09-01", ["prov:2025:400#K13P1"]),
    )
    deviation = Deviation.objects.get()
    for url in (
        deviation.get_absolute_url(),
        reverse("triage:deviation", args=[deviation.reference]),
    ):
        html = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
        marks = html.count('<span class="tag-unconfirmed">ej verifierad</span>')
        assert marks == 1  # the new section; SoL itself was shipped
    Provision.objects.filter(tag_id="prov:2025:400#K13P1").update(confirmed=True)
    html = analyst_client.get(deviation.get_absolute_url()).content.decode()
    assert "tag-unconfirmed" not in html


def test_an_admin_confirms_rows_created_from_use(admin_client: Client, db: None) -> None:
    references_register(["prov:1998:204#P7"])
    law = Law.objects.get(sfs="1998:204")
    provision = Provision.objects.get(tag_id="prov:1998:204#P7")
    assert str(provision) == "7 § (1998:204)"
    url = reverse("admin:catalogue_provision_changelist")
    listed = admin_client.get(url, {"confirmed__exact": "0"})
    assert "prov:1998:204#P7" in listed.content.decode()
    response = admin_client.post(
        url, {"action": "confirm_rows", "_selected_action": [provision.pk]}, follow=True
    )
    assert response.status_code == 200
    provision.refresh_from_db()
    assert provision.confirmed
    assert provision.verified
    law.refresh_from_db()
    assert law.confirmed is False  # only what the admin chose
    assert provision.history.first().history_change_reason == "confirmed by an administrator"


def test_a_law_written_out_in_the_text_gets_its_title() -> None:
    text = "Enligt lagen (2007:1091) om offentlig upphandling, ska kommunen planera."
    assert titles_written_out(text) == {"2007:1091": ("lag", "Lag om offentlig upphandling")}
    assert titles_written_out("lagen (2007:1091) gäller") == {}


@pytest.mark.django_db
def test_registering_twice_creates_once_and_keeps_a_written_out_title() -> None:
    text = "Kommunen följde inte lag (2007:1091) om offentlig upphandling, 4 kap. 1 §."
    created = references_register(["prov:2007:1091#K4P1", "agency:NOPE", "nonsense"], texts=[text])
    assert created == ["law:2007:1091", "prov:2007:1091#K4P1"]
    assert references_register(["prov:2007:1091#K4P1", "law:2007:1091"]) == []
    law = Law.objects.get(sfs="2007:1091")
    assert (law.title, law.has_chapters, law.confirmed) == (
        "Lag om offentlig upphandling",
        True,
        False,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Kommunen hänvisar till 11 kap. 1 § lagen (1962:381) och SFS 2010:0.",
        "Enligt lagen (1650:3) om x och lag (2099:12) om y gäller 4 kap. 2 § LASS.",
        "FK, Af och Kommunen enligt 27 kap. 45 § och 28 kap. 6 § SFB samt 6 kap. 1 § HSL.",
    ],
)
@pytest.mark.django_db
def test_nothing_the_tagger_suggests_is_refused_by_the_tag_rule(taby_unit: Unit, text: str) -> None:

    suggested = [
        s.tag_id for s in suggest_tags(text, on=date(2026, 1, 12), catalogue=tag_catalogue())
    ]
    assert any(tag.startswith("law:") for tag in suggested)
    rules.check_tags(suggested)


def test_a_law_written_out_in_a_filed_text_is_created_with_its_title(
    api: APIClient, taby_unit: Unit
) -> None:
    text = (
        "Regionen skrev ut personen utan planering enligt lagen (2007:1091) om offentlig "
        "upphandling. Kommunen fick veta det för sent."
    )
    body = {
        "occurred_on": "2026-01-12",
        "unit": taby_unit.pk,
        "municipality": "0160",
        "description": text,
        "category": "work_capacity",
    }
    response = api.post("/api/v1/deviations/", body, format="json")
    assert response.status_code == 201, response.json()
    law = Law.objects.get(sfs="2007:1091")
    assert (law.title, law.kind, law.confirmed) == (
        "Lag om offentlig upphandling",
        "lag",
        False,
    )


def test_shipped_rows_are_confirmed(db: None, taby_unit: Unit) -> None:
    assert Law.objects.exists()
    assert not Law.objects.filter(confirmed=False).exists()
    assert not Provision.objects.filter(confirmed=False).exists()


def test_the_api_says_which_catalogue_rows_are_not_confirmed(analyst_api: APIClient) -> None:
    references_register(["prov:1998:204#P7"])
    law = analyst_api.get("/api/v1/laws/1998:204/").json()
    assert (law["title"], law["confirmed"]) == ("SFS 1998:204", False)
    assert analyst_api.get("/api/v1/laws/2010:110/").json()["confirmed"] is True
    provision = ProvisionSerializer(Provision.objects.get(tag_id="prov:1998:204#P7")).data
    assert (provision["citation"], provision["confirmed"]) == ("7 § (1998:204)", False)


def test_an_analyst_adds_a_section_by_writing_the_citation(
    analyst_client: Client, taby_unit: Unit
) -> None:
    deviation = DeviationFactory(unit=taby_unit, occurred_on=date(2025, 9, 1))
    url = reverse("triage:deviation", args=[deviation.reference])
    response = analyst_client.post(url, {"add": "13 kap. 1 § SoL; agency:FK"})
    assert response.status_code == 302
    added = set(deviation.taggings.values_list("tag_id", flat=True))
    assert {"prov:2025:400#K13P1", "law:2025:400", "agency:FK"} <= added
    assert Provision.objects.get(tag_id="prov:2025:400#K13P1").confirmed is False
    refused = analyst_client.post(url, {"add": "inget lagrum alls"}, HTTP_ACCEPT_LANGUAGE="sv")
    messages = [str(m) for m in refused.context["messages"]]
    assert any(m.startswith("Inte en giltig tagg: inget lagrum alls.") for m in messages), messages
