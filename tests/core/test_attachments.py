"""Attachments in core: only readable kinds, recognised by content; their text through the
personal-data gate; size-limited; a file without text marked; stored outside the database and
handed out as a download that a browser cannot show in the page's place."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

from core import attachments as core_attachments
from core.attachments import (
    AttachmentError,
    attachment_add,
    attachment_remove,
    attachment_response,
    attachments_for,
    clean_name,
    file_kind,
    file_text,
    size_label,
)
from core.errors import PersonalDataError
from core.models import Attachment
from deviations.models import Unit, User
from tests.attachment_files import (
    PERSONNUMMER,
    docx,
    encrypted_pdf,
    odt,
    pdf,
    scanned_pdf,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def _stored() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_clean_pdf_is_kept_on_disk_with_its_facts(taby_unit: Unit, analyst: User) -> None:
    data = pdf("Styrgruppens beslut om samordning enligt 4 kap. 1 § SoL.")
    attachment = attachment_add(
        obj=taby_unit, upload=upload(data, "Beslut 2026.pdf"), description="Beslutet", by=analyst
    )
    assert attachment.name == "Beslut 2026.pdf"
    assert attachment.size == len(data)
    assert attachment.media_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.text_check == Attachment.TextCheck.CHECKED
    assert attachment.uploaded_by == analyst
    path = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert path.read_bytes() == data
    assert not any(ch.isdigit() for ch in path.stem)  # nothing typed, no number-like runs
    assert "Beslut" not in attachment.file.name
    assert list(attachments_for(taby_unit)) == [attachment]
    assert attachment.history.count() == 1


def test_a_pdf_with_a_personnummer_is_refused_and_nothing_is_stored(
    taby_unit: Unit, analyst: User
) -> None:
    data = pdf(f"Klienten har personnummer {PERSONNUMMER} och bor i Täby.")
    with translation.override("sv"), pytest.raises(PersonalDataError) as refusal:
        attachment_add(obj=taby_unit, upload=upload(data, "brev.pdf"), by=analyst)
    assert "Filen innehåller personuppgifter (personnummer)" in refusal.value.message
    assert PERSONNUMMER not in refusal.value.message
    assert not Attachment.objects.exists()
    assert _stored() == []


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (docx("Handläggaren noterade", f"Ring {PERSONNUMMER} i morgon"), "brev.docx"),
        (xlsx("Ärende", f"{PERSONNUMMER}"), "lista.xlsx"),
        (odt(f"Personnummer {PERSONNUMMER}"), "brev.odt"),
        (f"namn;nummer\nX;{PERSONNUMMER}\n".encode("cp1252"), "lista.csv"),
        (f"Mejla anna@exempel.se om {PERSONNUMMER}".encode(), "anteckning.txt"),
    ],
)
def test_personal_data_in_an_office_or_text_file_is_refused(
    data: bytes, name: str, taby_unit: Unit, analyst: User
) -> None:
    with pytest.raises(PersonalDataError):
        attachment_add(obj=taby_unit, upload=upload(data, name), by=analyst)
    assert not Attachment.objects.exists()
    assert _stored() == []


def test_a_number_split_across_two_runs_of_a_word_file_is_still_found() -> None:
    found = file_text(docx(f"Ring {PERSONNUMMER}", "Nästa stycke"), "docx")
    assert PERSONNUMMER in found.text
    assert "\nNästa" in found.text  # paragraphs stay apart: no number glued across them


def test_the_description_and_the_file_name_pass_the_gate_too(
    taby_unit: Unit, analyst: User
) -> None:
    clean = pdf("Beslut om samordning.")
    with pytest.raises(PersonalDataError):
        attachment_add(
            obj=taby_unit,
            upload=upload(clean, "brev.pdf"),
            description=f"Gäller {PERSONNUMMER}",
            by=analyst,
        )
    with pytest.raises(PersonalDataError):
        attachment_add(obj=taby_unit, upload=upload(clean, f"{PERSONNUMMER}.pdf"), by=analyst)
    assert not Attachment.objects.exists()
    assert _stored() == []


def test_a_scanned_pdf_is_taken_and_marked_unchecked(taby_unit: Unit, analyst: User) -> None:
    attachment = attachment_add(
        obj=taby_unit, upload=upload(scanned_pdf(), "skannat.pdf"), by=analyst
    )
    assert attachment.text_check == Attachment.TextCheck.NONE


def test_a_pdf_with_some_pages_without_text_is_marked_partly_checked() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf("Beslut om samordning."))))
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert file_text(buffer.getvalue(), "pdf").check == Attachment.TextCheck.PARTLY


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    taby_unit: Unit, analyst: User, settings: object
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000  # type: ignore[attr-defined]

    class Unread(SimpleUploadedFile):
        def read(self, *args: object) -> bytes:
            raise AssertionError("read before its size was checked")

    big = Unread("stor.txt", b"x" * 1001)
    with translation.override("sv"), pytest.raises(AttachmentError) as refusal:
        attachment_add(obj=taby_unit, upload=big, by=analyst)
    assert refusal.value.code == "file_too_large"
    assert "högst 1\u00a0kB kan bifogas" in refusal.value.message


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "brev.pdf", "file_type"),
        (b"\x89PNG\r\n\x1a\n" + bytes(50), "bild.png", "file_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), "gammal.doc", "file_type"),
        (b"%PDF-1.7\n this is not a PDF at all", "trasig.pdf", "file_unreadable"),
        (b"PK\x03\x04 a broken zip", "trasig.docx", "file_unreadable"),
        (b"Ett vanligt brev.", "brev.pdf", "file_type"),  # text named as a PDF
    ],
)
def test_wrong_kinds_and_broken_files_are_refused_clearly(
    data: bytes, name: str, code: str, taby_unit: Unit, analyst: User
) -> None:
    with translation.override("sv"), pytest.raises(AttachmentError) as refusal:
        attachment_add(obj=taby_unit, upload=upload(data, name), by=analyst)
    assert refusal.value.code == code
    assert refusal.value.message  # a sentence a person can act on
    assert not Attachment.objects.exists()


def test_a_pdf_renamed_docx_is_refused_by_its_content() -> None:
    with pytest.raises(AttachmentError, match=r"\.docx"):
        file_kind(pdf("Beslut."), "beslut.docx")


def test_a_pdf_longer_than_can_be_read_while_one_waits_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core_attachments, "MAX_PDF_PAGES", 2)
    assert file_text(scanned_pdf(pages=2), "pdf").check == Attachment.TextCheck.NONE
    with translation.override("sv"), pytest.raises(AttachmentError) as refusal:
        file_text(scanned_pdf(pages=3), "pdf")
    assert refusal.value.code == "file_too_long"
    assert "3 sidor" in refusal.value.message


def test_a_password_protected_pdf_is_refused_not_a_500(taby_unit: Unit, analyst: User) -> None:
    with pytest.raises(AttachmentError) as refusal:
        attachment_add(obj=taby_unit, upload=upload(encrypted_pdf(), "låst.pdf"), by=analyst)
    assert refusal.value.code == "file_encrypted"


def test_a_document_with_macros_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    with pytest.raises(AttachmentError) as refusal:
        file_kind(buffer.getvalue(), "brev.docx")
    assert refusal.value.code == "file_macros"


def test_a_zip_bomb_is_refused_without_unpacking_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_attachments, "MAX_UNPACKED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<d>" + " " * 5_000_000 + "</d>")
    data = buffer.getvalue()
    assert len(data) < 20_000
    with pytest.raises(AttachmentError) as refusal:
        file_text(data, file_kind(data, "bomb.docx"))
    assert refusal.value.code == "file_unreadable"


def test_an_entity_in_an_office_document_is_refused() -> None:
    laughs = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]><d>&a;&a;</d>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", laughs)
    with pytest.raises(AttachmentError) as refusal:
        file_text(buffer.getvalue(), "docx")
    assert refusal.value.code == "file_unreadable"


def test_without_a_gate_nothing_is_attached(
    taby_unit: Unit, analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_attachments, "_text_gates", [])
    with pytest.raises(ImproperlyConfigured):
        attachment_add(obj=taby_unit, upload=upload(b"Hej", "a.txt"), by=analyst)
    assert _stored() == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\x\\Beslut <slutligt>.pdf", "Beslut _slutligt_.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("brev\r\nSet-Cookie: x.pdf", "brev Set-Cookie_ x.pdf"),
        ("   .pdf", "bilaga.pdf"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(given: str, kept: str) -> None:
    with translation.override("sv"):
        assert clean_name(given) == kept


def test_sizes_read_in_kb_and_mb() -> None:
    with translation.override("sv"):
        assert size_label(1) == "1\u00a0kB"
        assert size_label(12_345) == "13\u00a0kB"
        assert size_label(3_400_000) == "3,4\u00a0MB"
        assert size_label(10_000_000) == "10\u00a0MB"


def test_the_download_is_saved_never_shown_and_removal_is_in_the_history(
    taby_unit: Unit, analyst: User, staff: User, django_capture_on_commit_callbacks: object
) -> None:
    data = pdf("Beslut om samordning.")
    attachment = attachment_add(obj=taby_unit, upload=upload(data, "Beslut å.pdf"), by=staff)
    response = attachment_response(attachment)
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Beslut%20%C3%A5.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # The file only: HttpResponse.close() also ends the "request" and closes the test's
    # database connection (request_finished), which PostgreSQL's test transaction cannot survive.
    response.file_to_stream.close()
    path = Path(settings.MEDIA_ROOT) / attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        attachment_remove(attachment=attachment, by=analyst)
    assert not path.exists()
    removal = Attachment.history.latest("history_date")
    assert removal.history_type == "-"
    assert removal.history_user == analyst
    assert removal.name == "Beslut å.pdf"


def test_a_file_gone_from_the_disk_is_a_404_not_a_500(taby_unit: Unit, analyst: User) -> None:
    attachment = attachment_add(obj=taby_unit, upload=upload(b"Hej", "a.txt"), by=analyst)
    (Path(settings.MEDIA_ROOT) / attachment.file.name).unlink()
    with pytest.raises(Http404):
        attachment_response(attachment)


def test_nginx_lets_the_largest_attachment_through() -> None:
    """deploy/ caps a request's body; an attachment at the limit must fit under that cap."""
    root = Path(settings.BASE_DIR) / "deploy"
    for name in ("nginx.conf.example", "stack.py"):
        text = (root / name).read_text()
        megabytes = int(re.search(r"client_max_body_size (\d+)m;", text).group(1))  # type: ignore[union-attr]
        assert megabytes * 1024 * 1024 > settings.ATTACHMENT_MAX_BYTES + 100_000, name
