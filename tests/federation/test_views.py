"""The federation's pages: an administrator runs a round by uploading the sites' answers; a site
answers a request on its page; refusals are said in Swedish, never a 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from analytics.aggregates import aggregate_bytes
from catalogue.models import Forbund
from deviations.models import User
from federation.identity import identity_as_json
from federation.models import Round
from federation.national import round_request, round_start
from federation.site import site_answer
from tests.factories import UserFactory
from tests.federation.conftest import PARAMS, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _files(federation: dict, tmp_path: Path, settings, site: str | None) -> None:  # noqa: ANN001
    identity = federation["national"] if site is None else federation["sites"][site]
    (tmp_path / "identity.json").write_text(json.dumps(identity_as_json(identity)))
    entries = [e.as_json() for e in federation["directory"].values()]
    (tmp_path / "directory.json").write_text(json.dumps(entries))
    settings.FEDERATION_IDENTITY_FILE = str(tmp_path / "identity.json")
    settings.FEDERATION_DIRECTORY_FILE = str(tmp_path / "directory.json")


def test_an_administrator_runs_a_round_on_the_pages(
    admin_client: Client,
    federation: dict,
    organisations: dict[str, Forbund],
    tmp_path: Path,
    settings,  # noqa: ANN001
) -> None:
    rounds = reverse("federation:rounds")
    started = admin_client.post(rounds, {"key": "2026-12", "min_support": "12"})
    assert started.status_code == 302
    again = admin_client.post(rounds, {"key": "2026-12", "min_support": "12"})
    assert again.status_code == 400
    assert "Det finns redan en omgång med det namnet." in again.content.decode()
    page = reverse("federation:round", kwargs={"key": "2026-12"})
    _files(federation, tmp_path, settings, None)
    while Round.objects.get(key="2026-12").stage != Round.Stage.DONE:
        request = json.loads(admin_client.get(page + "?download=request").content)
        answers = [
            SimpleUploadedFile(
                f"{slug}.json",
                aggregate_bytes(
                    site_answer(
                        request,
                        identity=federation["sites"][slug],
                        directory=federation["directory"],
                        organisation=organisations[slug],
                    )
                ),
            )
            for slug in organisations
        ]
        done = admin_client.post(
            reverse("federation:submit", kwargs={"key": "2026-12"}),
            {"documents": answers},
            follow=True,
        )
        assert "Alla deltagare har svarat" in done.content.decode()
    finished = admin_client.get(page).content.decode()
    assert Round.objects.get(key="2026-12").stage == Round.Stage.DONE
    assert "Bidragande deltagare (5 eller fler)" in finished
    assert "Samordningsförbundet Roslagen" in finished


def test_a_changed_answer_is_refused_with_its_file_name(
    admin_client: Client,
    federation: dict,
    organisations: dict[str, Forbund],
    tmp_path: Path,
    settings,  # noqa: ANN001
) -> None:
    admin_client.post(reverse("federation:rounds"), {"key": "r", "min_support": "12"})
    national_round = Round.objects.get(key="r")
    request = round_request(national_round, identity=federation["national"])
    answer = json.loads(
        aggregate_bytes(
            site_answer(
                request,
                identity=federation["sites"]["hbs"],
                directory=federation["directory"],
                organisation=organisations["hbs"],
            )
        )
    )
    answer["body"]["cells"]["n"] = "7"
    page = admin_client.post(
        reverse("federation:submit", kwargs={"key": "r"}),
        {"documents": [SimpleUploadedFile("hbs.json", json.dumps(answer).encode())]},
        follow=True,
    ).content.decode()
    assert "hbs.json: Dokumentet avvisades: signaturen stämmer inte" in page
    assert not national_round.submissions.exists()
    junk = admin_client.post(
        reverse("federation:submit", kwargs={"key": "r"}),
        {"documents": [SimpleUploadedFile("junk.json", b"\xff\x00 not json")]},
        follow=True,
    )
    assert junk.status_code == 200
    assert "junk.json: Dokumentet avvisades: filen är inget aggregat" in junk.content.decode()


def test_a_site_answers_a_request_on_its_page(
    admin_client: Client,
    federation: dict,
    organisations: dict[str, Forbund],
    tmp_path: Path,
    settings,  # noqa: ANN001
) -> None:
    national_round = round_start(key="r", peers=federation["peers"], params=PARAMS, today=TODAY)
    request = aggregate_bytes(round_request(national_round, identity=federation["national"]))
    _files(federation, tmp_path, settings, "roslagen")
    settings.FEDERATION_ORGANISATION = "roslagen"
    url = reverse("federation:answer")
    made = admin_client.post(url, {"document": SimpleUploadedFile("req.json", request)})
    assert made.status_code == 200
    assert made["Content-Disposition"].startswith('attachment; filename="knutpunkt-r-size-answer')
    answer = json.loads(made.content)
    assert answer["sender"]["name"] == "Knutpunkt roslagen"
    bad = admin_client.post(url, {"document": SimpleUploadedFile("req.json", b"{}")})
    assert bad.status_code == 400
    assert "filen är inget aggregat från Knutpunkt" in bad.content.decode()
    # Roslagen's own analyst may answer for Roslagen; Östra Södertörn's may not.
    own = UserFactory(username="r", roles=["analyst"], organisation=organisations["roslagen"])
    other = UserFactory(
        username="o", roles=["analyst"], organisation=organisations["ostra-sodertorn"]
    )
    for person, status in ((own, 200), (other, 403)):
        client = Client()
        client.force_login(person)
        assert client.get(url).status_code == status
