"""Small real files for the attachment tests: PDFs made by WeasyPrint and pypdf, office
packages written part by part, so each test says exactly what the file holds."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

PERSONNUMMER = "850312–2387"  # an en dash, as Word writes it (tests/privacy/test_gate.py)


def pdf(text: str) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a test makes a PDF

    return HTML(string=f"<p>{text}</p>").write_pdf()


def scanned_pdf(pages: int = 1) -> bytes:
    """A PDF with pages but no text, as a scanner writes one (the picture left out)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("hemligt")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx(*paragraphs: str, split: bool = True) -> bytes:
    """A Word document; each paragraph's text split over two runs, as Word often does."""
    body = "".join(
        f"<w:p><w:r><w:t>{p[: len(p) // 2] if split else p}</w:t></w:r>"
        f"<w:r><w:t>{p[len(p) // 2 :] if split else ''}</w:t></w:r></w:p>"
        for p in paragraphs
    )
    return _zip(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": (
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                f'main"><w:body>{body}</w:body></w:document>'
            ),
        }
    )


def xlsx(*cells: str) -> bytes:
    strings = "".join(f"<si><t>{c}</t></si>" for c in cells)
    return _zip(
        {
            "[Content_Types].xml": "<Types/>",
            "xl/workbook.xml": "<workbook/>",
            "xl/sharedStrings.xml": f"<sst>{strings}</sst>",
        }
    )


def odt(text: str) -> bytes:
    return _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": (
                '<office:document-content xmlns:office="o" xmlns:text="t"><office:body>'
                f"<text:p>{text}</text:p></office:body></office:document-content>"
            ),
        }
    )


def _zip(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
