"""Files on barriers and decisions: who may add, read and remove them, what the pages and the
dossier show, and how a refused file is answered (400, the message in Swedish, the description
kept, nothing stored)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from barriers.catalogue import steering_groups_load
from barriers.dossier import dossier_context
from barriers.models import Barrier, Decision
from barriers.services import barrier_create, barrier_escalate, barrier_transition, decision_record
from core.attachments import attachment_add
from core.models import Attachment
from deviations.models import Unit, User
from tests.attachment_files import PERSONNUMMER, docx, pdf, scanned_pdf
from tests.factories import DeviationFactory, TaggingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    staff: User, taby_unit: Unit, analyst: User, steering_member: User, other_unit_staff: User
) -> dict[str, Any]:
    """A barrier fed by the staff persona's deviation, before the steering member's group."""
    steering_groups_load()
    own = DeviationFactory(unit=taby_unit, reporter=staff)
    TaggingFactory(deviation=own, tag_id="agency:FK")
    barrier = barrier_create(
        by=analyst, title="Dag 180", tags=["agency:FK"], deviations=[own], mandate_level=1
    )
    barrier_transition(barrier=barrier, status=Barrier.Status.ANALYSED, by=analyst)
    escalation = barrier_escalate(
        barrier=barrier, group=None, due_on=timezone.localdate() + timedelta(days=3), by=analyst
    )
    escalation.group.members.add(steering_member)
    return {"barrier": barrier, "escalation": escalation}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, barrier: Barrier, data: bytes, name: str, **fields: str) -> Any:
    with translation.override("sv"):
        return client.post(
            reverse("barriers:attachment_add", args=[barrier.pk]),
            {
                "attachment-target": fields.get("target", "barrier"),
                "attachment-description": fields.get("description", ""),
                "attachment-file": SimpleUploadedFile(name, data),
            },
            HTTP_ACCEPT_LANGUAGE="sv",
        )


def _stored() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_an_analyst_attaches_a_clean_pdf_and_only_those_who_see_the_barrier_get_it(
    world: dict[str, Any],
    analyst: User,
    steering_member: User,
    staff: User,
    other_unit_staff: User,
    outsider: User,
) -> None:
    barrier = world["barrier"]
    data = pdf("Styrgruppens brev om samordningen enligt 4 kap. 1 § SoL.")
    response = _post(_client(analyst), barrier, data, "Brev till FK.pdf", description="Brevet")
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("barriers:detail", args=[barrier.pk]) + "#attachments"
    )
    attachment = Attachment.objects.get()
    url = reverse("barriers:attachment_download", args=[barrier.pk, attachment.pk])
    page = _client(analyst).get(reverse("barriers:detail", args=[barrier.pk]))
    assert url in page.content.decode()
    assert "Brev till FK.pdf" in page.content.decode()
    # Analysts, the group it is before and the reporter whose deviation feeds it may read it.
    for reader in (analyst, steering_member, staff):
        got = _client(reader).get(url)
        assert got.status_code == 200, reader
        assert b"".join(got.streaming_content) == data
        assert got["Content-Disposition"].startswith("attachment;")
        assert got["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in got["Content-Security-Policy"]  # not the site's policy on top
    # Whoever does not see the barrier finds nothing; signed out, the sign-in page.
    assert _client(other_unit_staff).get(url).status_code == 404
    assert _client(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # An attachment of another barrier is not reachable through this one.
    other = barrier_create(by=analyst, title="Annat hinder", tags=["agency:AF"])
    wrong = reverse("barriers:attachment_download", args=[other.pk, attachment.pk])
    assert _client(analyst).get(wrong).status_code == 404


def test_a_pdf_with_a_personnummer_is_refused_on_the_page_with_the_description_kept(
    world: dict[str, Any], analyst: User
) -> None:
    barrier = world["barrier"]
    data = pdf(f"Klienten med personnummer {PERSONNUMMER} har väntat i 180 dagar.")
    response = _post(_client(analyst), barrier, data, "brev.pdf", description="Brevet från FK")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Filen innehåller personuppgifter (personnummer)" in body
    assert "Brevet från FK" in body  # what was typed stays
    assert "Välj filen igen" in body
    assert PERSONNUMMER not in body
    assert not Attachment.objects.exists()
    assert _stored() == []


def test_a_word_file_with_a_personnummer_is_refused_for_a_steering_member_too(
    world: dict[str, Any], steering_member: User
) -> None:
    data = docx("Ärendet gäller", f"personnummer {PERSONNUMMER}")
    response = _post(_client(steering_member), world["barrier"], data, "brev.docx")
    assert response.status_code == 400
    assert "personnummer" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100), "program.pdf", "kan inte bifogas"),
        (b"%PDF-1.7 trasig", "trasig.pdf", "skadad"),
    ],
)
def test_a_wrong_or_broken_file_is_refused_with_a_swedish_message(
    world: dict[str, Any], analyst: User, data: bytes, name: str, message: str
) -> None:
    response = _post(_client(analyst), world["barrier"], data, name, description="Bilaga")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    world: dict[str, Any], analyst: User, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 2_000
    response = _post(_client(analyst), world["barrier"], b"x" * 3_000, "stor.txt")
    assert response.status_code == 400
    assert "högst 2\u00a0kB kan bifogas" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_scanned_pdf_is_taken_and_readers_are_told_it_was_not_checked(
    world: dict[str, Any], analyst: User, steering_member: User
) -> None:
    assert (
        _post(_client(analyst), world["barrier"], scanned_pdf(), "skannat.pdf").status_code == 302
    )
    assert Attachment.objects.get().text_check == Attachment.TextCheck.NONE
    with translation.override("sv"):
        dossier = _client(steering_member).get(
            reverse("barriers:dossier", args=[world["barrier"].pk]), HTTP_ACCEPT_LANGUAGE="sv"
        )
    assert "Texten kunde inte granskas" in dossier.content.decode()


def test_who_may_add_to_the_barrier(
    world: dict[str, Any], steering_member: User, staff: User, other_unit_staff: User
) -> None:
    barrier = world["barrier"]
    clean = b"Protokoll fran motet."
    # The group it is before adds from the dossier, and lands back there.
    response = _post(_client(steering_member), barrier, clean, "protokoll.txt")
    assert response.status_code == 302
    assert reverse("barriers:dossier", args=[barrier.pk]) in response["Location"]
    # The reporter reads the dossier but does not add to it; others do not see it at all.
    assert _post(_client(staff), barrier, clean, "a.txt").status_code == 403
    assert _post(_client(other_unit_staff), barrier, clean, "a.txt").status_code == 404
    assert Attachment.objects.count() == 1
    dossier = _client(staff).get(reverse("barriers:dossier", args=[barrier.pk]))
    assert "protokoll.txt" in dossier.content.decode()
    assert 'name="attachment-file"' not in dossier.content.decode()


def test_the_deciding_group_attaches_the_letter_to_its_decision(
    world: dict[str, Any], analyst: User, steering_member: User
) -> None:
    barrier, escalation = world["barrier"], world["escalation"]
    decision = decision_record(
        escalation=escalation, kind=Decision.Kind.REJECT, by=steering_member, reason="Utanför."
    )
    target = f"decision-{decision.pk}"
    # Analysts are not of the group: the decision is not offered to them.
    assert _post(_client(analyst), barrier, b"Brev.", "brev.txt", target=target).status_code == 400
    response = _post(
        _client(steering_member), barrier, pdf("Gruppens beslut och skäl."), "Beslutsbrev.pdf",
        target=target, description="Brevet som förklarar beslutet",
    )  # fmt: skip
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.subject == decision
    for page in ("barriers:dossier", "barriers:detail"):
        user = steering_member if page == "barriers:dossier" else analyst
        body = _client(user).get(reverse(page, args=[barrier.pk])).content.decode()
        assert "Beslutsbrev.pdf" in body
        assert reverse("barriers:attachment_download", args=[barrier.pk, attachment.pk]) in body
    got = _client(analyst).get(
        reverse("barriers:attachment_download", args=[barrier.pk, attachment.pk])
    )
    assert got.status_code == 200


def test_the_dossier_pdf_lists_names_sizes_and_dates_not_links(
    world: dict[str, Any], analyst: User, steering_member: User
) -> None:
    barrier = world["barrier"]
    attachment_add(
        obj=barrier,
        upload=SimpleUploadedFile("Underlag.txt", b"Protokoll." * 300),
        description="Protokollet",
        by=analyst,
    )
    with translation.override("sv"):
        html = render_to_string(
            "barriers/dossier_pdf.html", dossier_context(user=steering_member, barrier=barrier)
        )
    assert "Underlag.txt" in html
    assert "3\u00a0kB" in html
    assert timezone.localdate().isoformat() in html
    assert "/bilagor/" not in html
    assert "<form" not in html


def test_the_uploader_or_an_analyst_removes_a_file_and_the_history_says_who(
    world: dict[str, Any],
    analyst: User,
    steering_member: User,
    staff: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    barrier = world["barrier"]
    mine = attachment_add(
        obj=barrier, upload=SimpleUploadedFile("a.txt", b"Ett."), by=steering_member
    )
    theirs = attachment_add(obj=barrier, upload=SimpleUploadedFile("b.txt", b"Tva."), by=analyst)

    def remove(user: User, attachment: Attachment) -> int:
        url = reverse("barriers:attachment_remove", args=[barrier.pk, attachment.pk])
        with django_capture_on_commit_callbacks(execute=True):
            return _client(user).post(url).status_code

    assert remove(staff, mine) == 403
    assert remove(steering_member, theirs) == 403
    assert remove(steering_member, mine) == 302
    assert remove(analyst, theirs) == 302
    assert not Attachment.objects.exists()
    assert _stored() == []
    removed = Attachment.history.filter(history_type="-").order_by("history_date")
    assert [(h.name, h.history_user) for h in removed] == [
        ("a.txt", steering_member),
        ("b.txt", analyst),
    ]
    get = _client(analyst).get(reverse("barriers:attachment_remove", args=[barrier.pk, mine.pk]))
    assert get.status_code == 405


def test_a_file_whose_uploader_was_deleted_still_shows(
    world: dict[str, Any], analyst: User, steering_member: User
) -> None:
    barrier = world["barrier"]
    attachment_add(obj=barrier, upload=SimpleUploadedFile("a.txt", b"Ett."), by=steering_member)
    steering_member.delete()
    with translation.override("sv"):
        page = _client(analyst).get(
            reverse("barriers:detail", args=[barrier.pk]), HTTP_ACCEPT_LANGUAGE="sv"
        )
    assert page.status_code == 200
    assert "a.txt" in page.content.decode()
    assert "Borttagen användare" in page.content.decode()


def test_a_deleted_barrier_takes_its_files_and_its_decisions_files_with_it(
    world: dict[str, Any],
    analyst: User,
    steering_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    barrier, escalation = world["barrier"], world["escalation"]
    decision = decision_record(
        escalation=escalation, kind=Decision.Kind.REJECT, by=steering_member, reason="Utanför."
    )
    attachment_add(obj=barrier, upload=SimpleUploadedFile("a.txt", b"Ett."), by=analyst)
    attachment_add(obj=decision, upload=SimpleUploadedFile("b.txt", b"Tva."), by=steering_member)
    assert len(_stored()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        Barrier.objects.filter(pk=barrier.pk).delete()
    assert not Attachment.objects.exists()
    assert _stored() == []
