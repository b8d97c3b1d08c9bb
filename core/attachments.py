"""Attachments: a PDF, office document or text file kept with an object (a barrier, a decision).

The file lies on disk under MEDIA_ROOT through Django's storage, never in the database and never
served as a public URL: the apps hand it out through a view that checks who may read it
(`attachment_response`). Only the kinds whose text can be read are taken, recognised by their
content, not their name. The text is read (PDF pages, the XML of .docx/.xlsx/.pptx/.odt/.ods,
plain text) and passes the one personal-data gate, which `privacy` registers here from its
`ready()` (core sits below privacy and cannot name it); without a gate nothing is attached. A
file without readable text (a scanned letter) is taken and marked, so readers know no one
checked it. The apps decide who may add, read and remove; core keeps the files.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Attachment

#: The most unpacked XML read from one office document: a small file that unpacks to more than
#: this (a zip bomb) is refused rather than read to the end.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
#: The most pages of a PDF read while the person waits: pypdf reads some 20 text pages a second
#: on a small server, so this stays well inside the web server's 60 s.
MAX_PDF_PAGES = 300
NAME_MAX_CHARS = 150


@dataclass(frozen=True, slots=True)
class Kind:
    media_type: str
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", (".pdf",)),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
    ),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
    ),
    "odt": Kind("application/vnd.oasis.opendocument.text", (".odt",)),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    "txt": Kind("text/plain", (".txt",)),
    "csv": Kind("text/csv", (".csv",)),
}
_ODF = {"application/vnd.oasis.opendocument.text": "odt"}
_ODF["application/vnd.oasis.opendocument.spreadsheet"] = "ods"
_OOXML_MAIN = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}
_OOXML_MAIN["ppt/presentation.xml"] = "pptx"


class AttachmentError(DomainError):
    """The file cannot be attached: its kind, its size, or it cannot be read."""

    code = "attachment_refused"


# --- The gate, registered from above ---------------------------------------------------------

_text_gates: list[Callable[[str], None]] = []


def attachment_text_gate_register(check: Callable[[str], None]) -> None:
    """Register the check the text of every attachment passes (privacy's personal-data gate,
    from its `ready()`); it raises a DomainError to refuse. Registering twice is harmless."""
    if check not in _text_gates:
        _text_gates.append(check)


def _text_gate(text: str) -> None:
    if not _text_gates:  # fail closed: a file no gate read is never stored
        raise ImproperlyConfigured("No gate is registered for the text of attachments.")
    for check in _text_gates:
        check(text)


# --- What a file is ---------------------------------------------------------------------------


def _kinds_text() -> str:
    return _(
        "Attach a PDF, a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx), an OpenDocument "
        "file (.odt, .ods) or a text file (.txt, .csv)."
    )


def _refuse_kind() -> AttachmentError:
    return AttachmentError(
        _("This kind of file cannot be attached.") + " " + _kinds_text(), code="file_type"
    )


def _refuse_unreadable() -> AttachmentError:
    return AttachmentError(
        _(
            "The file is damaged or cannot be read, so its text cannot be checked. Open it, "
            "save it again (or as PDF) and attach that."
        ),
        code="file_unreadable",
    )


def _refuse_encrypted() -> AttachmentError:
    return AttachmentError(
        _(
            "The file is protected by a password, so its text cannot be checked. Save it "
            "without a password and attach that."
        ),
        code="file_encrypted",
    )


def _office_kind(archive: zipfile.ZipFile) -> str:
    """docx, xlsx, pptx, odt or ods, from the parts inside the package; refuses the rest."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _refuse_unreadable()
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse_encrypted()
    names = {info.filename for info in infos}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise AttachmentError(
            _("Documents with macros cannot be attached. Save it without macros (.docx, .xlsx)."),
            code="file_macros",
        )
    if "mimetype" in names:
        with archive.open("mimetype") as stream:
            kind = _ODF.get(stream.read(100).decode("ascii", "replace").strip())
        if kind:
            return kind
    if "[Content_Types].xml" in names:
        for part, kind in _OOXML_MAIN.items():
            if part in names:
                return kind
    raise _refuse_kind()


def file_kind(data: bytes, name: str) -> str:
    """The kind of a file (a key of KINDS) from its content; its name must end as that kind's
    does. Refuses, with a message people can act on, everything else."""
    if data.startswith(b"%PDF-"):
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                kind = _office_kind(archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            raise _refuse_unreadable() from error
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: old Office, or encrypted
        raise AttachmentError(
            _(
                "Older Office files (.doc, .xls, .ppt) and password-protected documents cannot "
                "be checked. Save it as .docx, .xlsx or PDF without a password and attach that."
            ),
            code="file_type",
        )
    elif _plain_text(data) is not None:
        kind = "csv" if PurePath(name).suffix.lower() == ".csv" else "txt"
    else:
        raise _refuse_kind()
    extension = PurePath(name).suffix.lower()
    if extension not in KINDS[kind].extensions:
        raise AttachmentError(
            _(
                "The file's name ends in “%(extension)s” but it holds something else "
                "(%(kind)s). Give it the right ending or choose another file."
            )
            % {"extension": extension or "–", "kind": KINDS[kind].extensions[0]},
            code="file_type",
        )
    return kind


def _plain_text(data: bytes) -> str | None:
    """The text of a plain text file (UTF-8, or Windows' Western encoding), None if binary."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f")
        return text if controls <= len(text) // 100 else None
    return None


# --- The text of a file -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileText:
    text: str
    check: str  # Attachment.TextCheck: all of it, part of it or none of it could be read


def _pdf_text(data: bytes) -> FileText:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone opens
            raise _refuse_encrypted()
        if len(reader.pages) > MAX_PDF_PAGES:
            raise AttachmentError(
                _(
                    "The PDF has %(pages)d pages; at most %(limit)d can be checked. Attach the "
                    "part that matters, or split it."
                )
                % {"pages": len(reader.pages), "limit": MAX_PDF_PAGES},
                code="file_too_long",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except AttachmentError:
        raise
    except PyPdfError as error:
        if "decrypt" in str(error).lower() or "crypt" in type(error).__name__.lower():
            raise _refuse_encrypted() from error
        raise _refuse_unreadable() from error
    except Exception as error:  # noqa: BLE001 - a broken PDF raises anything from deep inside
        raise _refuse_unreadable() from error
    empty = sum(1 for page in pages if not page.strip())
    check = (
        Attachment.TextCheck.CHECKED
        if pages and not empty
        else Attachment.TextCheck.PARTLY
        if pages and empty < len(pages)
        else Attachment.TextCheck.NONE
    )
    return FileText("\n".join(pages), check)


# Elements that end a paragraph, a cell or a row (a new line), and those that stand for a
# space, in WordprocessingML, SpreadsheetML, DrawingML and OpenDocument.
_BREAKS = {"p", "h", "tc", "tr", "c", "si", "row", "br", "cr", "table-cell", "table-row"}
_BREAKS |= {"line-break", "list-item", "sp", "txBody", "comment", "annotation"}
_SPACES = {"tab", "s", "ptab"}


def _office_parts(names: Iterable[str], kind: str) -> list[str]:
    """The parts of a package that hold its text, in order: not its relations, theme, styles of
    fonts, nor the metadata naming who wrote it."""
    if kind in ("odt", "ods"):
        return [name for name in ("content.xml", "styles.xml") if name in names]
    folder = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}[kind]
    return sorted(
        name
        for name in names
        if name.startswith(folder)
        and name.endswith(".xml")
        and "/_rels/" not in name
        and "/theme/" not in name
        and not name.endswith(("fontTable.xml", "webSettings.xml"))
    )


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, chunk: bytes) -> bytes:
        self.left -= len(chunk)
        if self.left < 0:
            raise AttachmentError(
                _(
                    "The document unpacks to far more than its size, so its text cannot be "
                    "checked. Save it again (or as PDF) and attach that."
                ),
                code="file_unreadable",
            )
        return chunk


def _xml_text(stream: IO[bytes], budget: _Budget) -> Iterator[str]:
    """The text of one XML part, read in pieces through expat with no document type allowed
    (no entities, so no entity expansion)."""
    pieces: list[str] = []

    def refuse(*_args: Any) -> None:
        raise ValueError("a document type or entity in an office document")

    def start(name: str, _attrs: Any) -> None:
        if name.rsplit(":", 1)[-1] in _SPACES:
            pieces.append(" ")

    def end(name: str) -> None:
        if name.rsplit(":", 1)[-1] in _BREAKS:
            pieces.append("\n")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = pieces.append
    while chunk := stream.read(256 * 1024):
        parser.Parse(budget.take(chunk), False)
        yield "".join(pieces)
        pieces.clear()
    parser.Parse(b"", True)
    yield "".join(pieces)


def _office_text(data: bytes, kind: str) -> FileText:
    budget = _Budget(MAX_UNPACKED_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = []
            for part in _office_parts(archive.namelist(), kind):
                with archive.open(part) as stream:
                    texts.append("".join(_xml_text(stream, budget)))
    except AttachmentError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, expat.ExpatError) as error:
        raise _refuse_unreadable() from error
    text = "\n".join(texts)
    check = Attachment.TextCheck.CHECKED if text.strip() else Attachment.TextCheck.NONE
    return FileText(text, check)


def file_text(data: bytes, kind: str) -> FileText:
    """The text of a file of a known kind, and how much of it could be read. Refuses an
    encrypted, broken or bomb-like file (AttachmentError)."""
    if kind == "pdf":
        return _pdf_text(data)
    if kind in ("txt", "csv"):
        text = _plain_text(data)
        if text is None:
            raise _refuse_unreadable()
        return FileText(text, Attachment.TextCheck.CHECKED)
    return _office_text(data, kind)


def office_kind(data: bytes) -> str | None:
    """The office kind of a zip package (for the scanner of stored files), None if it is none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _office_kind(archive)
    except (DomainError, zipfile.BadZipFile, OSError, EOFError):
        return None


# --- Names and sizes --------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The name a person gave the file, safe to show and to send back in a header: no folder,
    no control or reserved characters, at most NAME_MAX_CHARS with its ending kept."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    name = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in name)
    name = re.sub(r'[<>:"|?*\x00]', "_", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem, suffix = re.fullmatch(r"(.*?)((?:\.[^. ]{1,9})?)", name).groups()  # type: ignore[union-attr]
    stem = stem.strip(" .")[: NAME_MAX_CHARS - len(suffix)].rstrip(" .")
    return f"{stem or _('attachment')}{suffix}"


def size_label(size: int) -> str:
    """ "12 kB" or "3,4 MB" (decimal units, rounded up to at least 1 kB)."""
    if size < 1000 * 1000:
        return f"{number_format(max(1, -(-size // 1000)))}\u00a0kB"
    megabytes = round(size / 1_000_000, 1)
    decimals = 0 if megabytes == int(megabytes) else 1
    return f"{number_format(megabytes, decimal_pos=decimals)}\u00a0MB"


def max_size_label() -> str:
    return size_label(settings.ATTACHMENT_MAX_BYTES)


# --- Adding, listing, removing, handing out ---------------------------------------------------


def attachments_for(obj: models.Model) -> models.QuerySet[Attachment]:
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("uploaded_by")


def attachments_of(model: type[models.Model], ids: Iterable[int]) -> models.QuerySet[Attachment]:
    """The attachments of many objects of one model at once (the decisions on a page)."""
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids)
    ).select_related("uploaded_by")


def _read(upload: File) -> bytes:
    """The whole upload, after its size was checked (the upload lies in a temporary file)."""
    upload.seek(0)
    data = upload.read()
    return data if isinstance(data, bytes) else data.encode()


@transaction.atomic
def attachment_add(
    *, obj: models.Model, upload: File, description: str = "", by: Any
) -> Attachment:
    """Attach an uploaded file to an object, after its size, its kind and its text passed.
    Refuses with a message (AttachmentError, or the gate's PersonalDataError); nothing is
    stored then."""
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise AttachmentError(
            _("The file is %(size)s; at most %(limit)s can be attached.")
            % {"size": size_label(size), "limit": size_label(limit)},
            code="file_too_large",
        )
    if size == 0:
        raise AttachmentError(_("The file is empty."), code="file_empty")
    name = clean_name(upload.name or "")
    data = _read(upload)
    kind = file_kind(data, name)
    found = file_text(data, kind)
    _text_gate(found.text)
    attachment = Attachment(
        subject=obj,
        name=name,
        size=len(data),
        media_type=KINDS[kind].media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        description=description.strip(),
        text_check=found.check,
        uploaded_by=by,
    )
    attachment.full_clean(exclude=["file", "content_type", "object_id"])
    attachment.file.save(name, File(io.BytesIO(data)), save=False)
    try:
        attachment.save()  # the gate reads the name and the description here
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: Any) -> None:
    """Remove an attachment: the row goes (the history keeps who removed what, when), and the
    file goes from the disk once that is committed (`attachment_file_forget`)."""
    attachment._history_user = by  # type: ignore[attr-defined]  # simple-history's hook
    attachment.delete()


def attachment_file_forget(sender: type[Attachment], instance: Attachment, **_: Any) -> None:
    """Whenever a row goes (removed here, or with the barrier or decision it belonged to, or in
    the admin), its file goes from the disk once that is committed; a rollback keeps both.
    Connected to post_delete in CoreConfig.ready(): storage upkeep, not a domain step."""
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download that a browser saves and never shows in the page's place."""
    if not attachment.file.name or not attachment.file.storage.exists(attachment.file.name):
        raise Http404(_("The file is no longer stored."))
    response = FileResponse(
        attachment.file.storage.open(attachment.file.name, "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
