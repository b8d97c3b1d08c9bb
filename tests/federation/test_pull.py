"""The national instance fetches the sites' answers over HTTP (the API door a site opens), and
tells the contributing sites of a national barrier and its decisions; a national instance holds
no deviations. Three organisations of one database play the sites, each answering under its
own identity file."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from analytics.aggregates import aggregate_bytes, aggregate_document, canonical
from analytics.extract import AnalysisFilter, deviation_table
from analytics.knots import find_knots
from analytics.types import KnotParams
from barriers.catalogue import steering_groups_load
from barriers.models import Barrier, Escalation, SteeringGroup
from barriers.services import barrier_escalate, barrier_transition, decision_record
from catalogue.models import Forbund
from catalogue.selectors import concepts as catalogue_concepts
from catalogue.selectors import labels_for
from core.errors import DomainError
from deviations.models import Deviation, Tagging
from deviations.services import DeviationInput, deviations_file_many
from federation.identity import identity_as_json
from federation.models import NationalBarrier, NationalNotice, Round, SiteAnswer
from federation.national import round_pull, round_request, round_start
from federation.notices import national_barrier_create, notice_receive, notices_publish
from federation.transport import TransportError, post_json
from tests.factories import DeviationFactory, UserFactory
from tests.federation.conftest import PARAMS, THIN, TODAY

pytestmark = pytest.mark.django_db
ANSWER = "/api/v1/federation/answer/"
NOTICE = "/api/v1/federation/notice/"


@pytest.fixture
def files(
    federation: dict, tmp_path: Path
) -> Callable[[str | None], contextlib.AbstractContextManager]:
    """`as_site(slug)`: the settings under which this database answers as that site (its
    identity file, the shared directory, its organisation); `as_site(None)`: as the national
    instance."""
    directory = tmp_path / "directory.json"
    directory.write_text(json.dumps([e.as_json() for e in federation["directory"].values()]))
    paths = {}
    for slug, identity in [*federation["sites"].items(), (None, federation["national"])]:
        path = tmp_path / f"identity-{slug or 'national'}.json"
        path.write_text(json.dumps(identity_as_json(identity)))
        paths[slug] = path

    @contextlib.contextmanager
    def as_site(slug: str | None) -> Iterator[None]:
        with override_settings(
            FEDERATION_IDENTITY_FILE=str(paths[slug]),
            FEDERATION_DIRECTORY_FILE=str(directory),
            FEDERATION_ORGANISATION=slug or "",
        ):
            yield

    return as_site


def _client_fetch(as_site: Callable) -> Callable[[str, bytes], bytes]:
    """The sites' doors through the test client: http://<slug>.test/… answers as that site."""

    def fetch(url: str, body: bytes) -> bytes:
        parts = urlsplit(url)
        slug = parts.hostname.removesuffix(".test")
        with as_site(slug):
            response = Client().post(parts.path, body, content_type="application/json")
        if response.status_code != 200:
            raise TransportError(f"{response.status_code}: {response.json()['detail']}")
        return response.content

    return fetch


def _addresses(federation: dict, organisations: dict[str, Forbund]) -> None:
    for peer, slug in zip(federation["peers"], federation["sites"], strict=True):
        peer.url = f"http://{slug}.test"
        peer.save()


def _pooled(organisations: dict[str, Forbund]) -> list:
    return find_knots(
        deviation_table(AnalysisFilter(organisations=tuple(organisations))),
        params=PARAMS,
        today=TODAY,
        include_local=True,
        concepts=catalogue_concepts(),
    )


def test_pulling_runs_the_whole_round_and_equals_the_pooled_knots(
    federation: dict, organisations: dict[str, Forbund], files: Callable
) -> None:
    _addresses(federation, organisations)
    national = round_start(key="pull-1", peers=federation["peers"], params=PARAMS, today=TODAY)
    with files(None):
        problems = round_pull(national, identity=federation["national"], fetch=_client_fetch(files))
    national.refresh_from_db()
    assert problems == {}
    assert national.stage == Round.Stage.DONE
    pooled = _pooled(organisations)
    assert [k["tags"] for k in national.knots] == [list(k.tags) for k in pooled]
    assert [k["support"] for k in national.knots] == [k.support for k in pooled]
    assert any(k["tags"] == THIN.split(";") for k in national.knots)  # rare at every site
    # Each site kept what it sent: one answer per stage and level.
    assert SiteAnswer.objects.filter(site=federation["sites"]["hbs"].name).count() >= 4


def test_a_site_asked_again_sends_the_same_document_not_a_fresh_count(
    federation: dict, organisations: dict[str, Forbund], files: Callable
) -> None:
    """Same round, same masks: a fresh count would give away the difference of two counts."""
    national = round_start(key="again", peers=federation["peers"], params=PARAMS, today=TODAY)
    request = aggregate_bytes(round_request(national, identity=federation["national"]))
    with files("roslagen"):
        first = Client().post(ANSWER, request, content_type="application/json")
        DeviationFactory(
            unit=organisations["roslagen"].units.first(),
            municipality=organisations["roslagen"].municipalities.first(),
            confirmed_tags=THIN,
        )
        second = Client().post(ANSWER, request, content_type="application/json")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    # A new round asks afresh, under new masks.
    other = round_start(key="again-2", peers=federation["peers"], params=PARAMS, today=TODAY)
    with files("roslagen"):
        third = Client().post(
            ANSWER,
            aggregate_bytes(round_request(other, identity=federation["national"])),
            content_type="application/json",
        )
    assert third.json()["body"]["cells"] != first.json()["body"]["cells"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "parse_error"),  # the door's JSON check, as for every API call
        (b"[]", "not_an_object"),
        (json.dumps({"format": "something else"}).encode(), "format"),
    ],
)
def test_the_answer_door_refuses_what_is_not_a_signed_request(
    federation: dict, files: Callable, body: bytes, code: str
) -> None:
    with files("hbs"):
        response = Client().post(ANSWER, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]  # a reason, in the request's language


def test_a_request_signed_by_a_site_is_not_a_national_request(
    federation: dict, files: Callable
) -> None:
    """Only a national instance of the site's directory may ask: a fellow site may not."""
    national = round_start(key="forged", peers=federation["peers"], params=PARAMS, today=TODAY)
    forged = round_request(national, identity=federation["sites"]["roslagen"])
    with files("hbs"):
        response = Client().post(ANSWER, aggregate_bytes(forged), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "sender"
    assert not SiteAnswer.objects.exists()


def test_an_instance_outside_a_federation_has_no_door() -> None:
    with override_settings(FEDERATION_IDENTITY_FILE="", FEDERATION_DIRECTORY_FILE=""):
        answer = Client().post(ANSWER, b"{}", content_type="application/json")
        notice = Client().post(NOTICE, b"{}", content_type="application/json")
    assert answer.status_code == notice.status_code == 404
    assert answer.json()["code"] == "not_federated"


def test_a_site_out_of_reach_stops_the_round_with_the_reason(
    federation: dict, organisations: dict[str, Forbund], files: Callable
) -> None:
    _addresses(federation, organisations)
    unreachable, no_address = federation["peers"][0], federation["peers"][1]
    unreachable.url = "http://127.0.0.1:9"  # discard port: nothing listens
    unreachable.save()
    no_address.url = ""
    no_address.save()
    national = round_start(key="down", peers=federation["peers"], params=PARAMS, today=TODAY)
    through_client = _client_fetch(files)

    def fetch(url: str, body: bytes) -> bytes:  # the real transport for the one out of reach
        return post_json(url, body) if "127.0.0.1" in url else through_client(url, body)

    with files(None), translation.override("sv"):
        problems = round_pull(national, identity=federation["national"], fetch=fetch)
    national.refresh_from_db()
    assert national.stage == Round.Stage.SIZE  # nothing summed with a site missing
    assert set(problems) == {unreachable.name, no_address.name}
    assert "kunde inte nås" in problems[unreachable.name]
    assert "adress" in problems[no_address.name]


def _finished_round(federation: dict, organisations: dict[str, Forbund], files: Callable) -> Round:
    _addresses(federation, organisations)
    national = round_start(key="2026-12", peers=federation["peers"], params=PARAMS, today=TODAY)
    with files(None):
        assert (
            round_pull(national, identity=federation["national"], fetch=_client_fetch(files)) == {}
        )
    national.refresh_from_db()
    return national


def test_a_national_barrier_goes_to_nns_and_its_decision_reaches_the_contributing_sites(
    federation: dict,
    organisations: dict[str, Forbund],
    files: Callable,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    national = _finished_round(federation, organisations, files)
    index = next(i for i, k in enumerate(national.knots) if k["tags"] == THIN.split(";"))
    analyst = UserFactory(roles=["analyst"])
    chair = UserFactory(roles=["steering"])
    steering_groups_load()
    nns = SteeringGroup.objects.get(slug="nns")
    nns.members.add(chair)
    fetch = _client_fetch(files)
    with files(None):
        written = national_barrier_create(national=national, index=index, by=analyst)
        with pytest.raises(DomainError):  # one national barrier per knot
            national_barrier_create(national=national, index=index, by=analyst)
        barrier = written.barrier
        assert barrier.tags == THIN.split(";")
        # 6 per site, three sites: 18, shown as every count that leaves the analysts is.
        assert "20 avvikelser" in barrier.description
        barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
        escalation = barrier_escalate(
            barrier=barrier, group=nns, due_on=None, by=analyst, override_reason="Nationell fråga"
        )
        # NNS speaks for the förbund but changes no rule: it sends the knot up the ladder.
        decision_record(
            escalation=escalation,
            kind="forward",
            by=chair,
            text="NNS lyfter frågan till Nationella rådet.",
            reason="Knuten kräver ändrade regler som bara myndigheterna och regeringen rår över.",
            next_due_on=timezone.localdate() + timedelta(days=60),
        )
        delivery = notices_publish(written, identity=federation["national"], fetch=fetch)
    assert set(delivery.values()) == {""}
    assert len(delivery) == 3  # all three contribute at least 5 (6 each)
    notices = NationalNotice.objects.all()
    assert notices.count() == 1  # one database plays the three sites: one row, kept once
    notice = notices.get()
    assert notice.title == barrier.title
    assert notice.status == Barrier.Status.ESCALATED  # now before the next group up
    assert [d["kind"] for d in notice.decisions] == ["forward"]
    assert notice.decisions[0]["group"] == nns.name
    # The site's analysts read it in Swedish, with labels, on their own instance.
    site_analyst = UserFactory(roles=["analyst"], organisation=organisations["hbs"])
    client = Client()
    client.force_login(site_analyst)
    page = client.get(reverse("federation:notices"), HTTP_ACCEPT_LANGUAGE="sv")
    text = page.content.decode()
    assert page.status_code == 200
    assert "NNS lyfter frågan" in text
    assert "Eskalerat" in text  # the status, as a label
    assert "Skicka vidare" in text  # the decision's kind, as a label
    start = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Nationella hinder vi bidrar till" in start
    assert barrier.title in start
    assert "prov:" not in text
    assert "agency:" not in text
    assert Escalation.objects.filter(barrier=barrier, forwarded_from__group=nns).exists()


def test_a_decision_on_a_national_barrier_is_sent_on_by_itself(
    federation: dict,
    organisations: dict[str, Forbund],
    files: Callable,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No one has to remember to tell the sites: every change queues the sending."""
    national = _finished_round(federation, organisations, files)
    sent: list[str] = []
    fetch = _client_fetch(files)

    def recording_fetch(url: str, body: bytes) -> bytes:
        sent.append(json.loads(body)["body"]["status"])
        return fetch(url, body)

    monkeypatch.setattr("federation.notices.post_json", recording_fetch)
    analyst = UserFactory(roles=["analyst"])
    with files(None), django_capture_on_commit_callbacks(execute=True):
        written = national_barrier_create(national=national, index=0, by=analyst)
    assert sent[-1:] == [Barrier.Status.IDENTIFIED]
    with files(None), django_capture_on_commit_callbacks(execute=True):
        barrier_transition(barrier=written.barrier, status=Barrier.Status.ANALYSED, by=analyst)
    assert sent[-1] == Barrier.Status.ANALYSED
    written.refresh_from_db()
    assert written.published_at is not None


def _notice(federation: dict, *, signer: str = "national", **changes: object) -> bytes:
    identity = federation["national"] if signer == "national" else federation["sites"][signer]
    body = {
        "reference": "2026-12-7",
        "title": "Aktivitetsstöd och försörjningsstöd",
        "description": "",
        "status": "decided",
        "tags": THIN.split(";"),
        "knot": {"support": 18, "municipalities": 9, "lift": 2.5, "round": "2026-12"},
        "decisions": [],
        **changes,
    }
    return aggregate_bytes(
        aggregate_document(
            "notice",
            body,
            sender=identity.name,
            signing_private=identity.signing_private,
            agreement_public=identity.entry.agreement_key,
            round_id="2026-12",
            catalogue_version="knutpunkt-catalogue",
            concordance="",
            params=KnotParams(),
            created=timezone.now() + timedelta(seconds=len(json.dumps(changes))),
        )
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "19121212-1212",
        "121212 1212",
        "070-123 45 67",
        "+46 70 123 45 67",
        "anna.svensson@example.se",
    ],
)
def test_a_notice_with_personal_data_is_refused_and_nothing_is_kept(
    federation: dict, files: Callable, spelling: str
) -> None:
    decision = {
        "kind": "act",
        "text": f"Kontakta {spelling} om ärendet.",
        "action": "",
        "owner": "",
        "decided_on": "2026-12-01",
        "group": "NNS",
    }
    with files("hbs"):
        response = Client().post(
            NOTICE, _notice(federation, decisions=[decision]), content_type="application/json"
        )
    assert response.status_code == 400
    assert response.json()["code"] == "personal_data"
    assert not NationalNotice.objects.exists()


def test_a_notice_from_a_site_or_an_older_one_changes_nothing(federation: dict) -> None:
    directory = federation["directory"]
    kept = notice_receive(_notice(federation, title="Ny titel på hindret"), directory=directory)
    older = notice_receive(_notice(federation), directory=directory)  # created earlier
    assert older.pk == kept.pk
    kept.refresh_from_db()
    assert kept.title == "Ny titel på hindret"
    with pytest.raises(DomainError):
        notice_receive(_notice(federation, signer="roslagen"), directory=directory)
    with pytest.raises(DomainError):
        notice_receive(_notice(federation, status="unknown_state"), directory=directory)
    # Signed by the national instance, but with a date no reader can take: refused, not a 500.
    undated = json.loads(_notice(federation, title="Utan datum"))
    undated["created"] = "igår"
    del undated["signature"]
    signing = Ed25519PrivateKey.from_private_bytes(federation["national"].signing_private)
    undated["signature"] = base64.b64encode(signing.sign(canonical(undated))).decode()
    with pytest.raises(DomainError, match="date|datum"):
        notice_receive(undated, directory=directory)


def test_a_national_instance_refuses_deviations_on_every_path(taby_unit: object) -> None:
    reporter = UserFactory(roles=["staff"], units=[taby_unit])
    client = Client()
    client.force_login(reporter)
    payload = {
        "occurred_on": "2026-03-02",
        "unit": taby_unit.pk,
        "municipality": "0160",
        "description": "Personen fick avslag på sjukpenning och nekades försörjningsstöd.",
        "category": "work_capacity",
        "severity": 3,
    }
    batch = [
        DeviationInput(
            occurred_on=date(2026, 3, 2),
            unit=taby_unit,
            municipality=taby_unit.municipalities.first(),
            description=payload["description"],
        )
    ]
    with override_settings(NATIONAL_MODE=True):
        with pytest.raises(DomainError) as refused:
            DeviationFactory(unit=taby_unit, confirmed_tags=THIN)
        with pytest.raises(DomainError) as bulk:  # import and seed: bulk inserts, no pre_save
            deviations_file_many(
                by=reporter,
                items=batch,
                tag_origin=Tagging.Origin.IMPORT,
                tag_state=Tagging.State.CONFIRMED,
            )
        api = client.post(
            "/api/v1/deviations/",
            payload,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="sv",
        )
        page = client.post(reverse("deviations:create"), payload, HTTP_ACCEPT_LANGUAGE="sv")
        before = client.get(reverse("deviations:create"), HTTP_ACCEPT_LANGUAGE="sv")
    assert refused.value.code == bulk.value.code == "national_instance"
    assert api.status_code == 409
    assert "nationella installationen" in api.json()["detail"]
    assert page.status_code == 409
    assert "nationella installationen" in page.content.decode()
    assert "nationella installationen" in before.content.decode()  # said before anyone types
    assert "<textarea" not in before.content.decode()
    assert not Deviation.objects.exists()


def test_the_pages_write_up_a_knot_once_and_fetch_as_a_job(
    federation: dict, organisations: dict[str, Forbund], files: Callable
) -> None:
    national = _finished_round(federation, organisations, files)
    analyst = UserFactory(roles=["analyst"])
    admin = UserFactory(roles=["admin"])
    client = Client()
    client.force_login(analyst)
    url = reverse("federation:barrier_create", kwargs={"key": national.key, "index": 0})
    first = client.post(url)
    written = NationalBarrier.objects.get()
    assert first.url == reverse("barriers:detail", kwargs={"pk": written.barrier_id})
    again = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="sv")
    assert NationalBarrier.objects.count() == 1
    assert "Knuten har redan ett systemhinder" in again.content.decode()
    listing = client.get(reverse("federation:national_barriers"), HTTP_ACCEPT_LANGUAGE="sv")
    assert written.barrier.title in listing.content.decode()
    # The barrier has no deviation of its own: its page and dossier carry the national figures.
    for name in ("barriers:detail", "barriers:dossier"):
        page = client.get(reverse(name, kwargs={"pk": written.barrier_id}))
        assert page.status_code == 200
        assert "gånger så ofta" in page.content.decode()
    # A national instance's start page leads to its latest national knots.
    with override_settings(NATIONAL_MODE=True):
        start = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Nationella knutar" in start
    assert " + ".join(labels_for(national.knots[0]["tags"])) in start
    # A new round fetched from the page: a job, whose page says which site could not be asked.
    other = round_start(key="page", peers=federation["peers"], params=PARAMS, today=TODAY)
    federation["peers"][0].url = ""
    federation["peers"][0].save()
    client.force_login(admin)
    with files(None), override_settings(LANGUAGE_CODE="sv"):
        fetched = client.post(reverse("federation:pull", kwargs={"key": other.key}), follow=True)
    assert fetched.status_code == 200
    assert "ingen adress" in fetched.content.decode()
