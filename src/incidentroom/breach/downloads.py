"""File responses for reports and letters; callers have already fetched the object scoped."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpResponse

from incidentroom.breach.models import BatchStatus, Letter, LetterBatch, Report
from incidentroom.breach.reports.build import document_for
from incidentroom.breach.reports.render_docx import render_docx
from incidentroom.breach.reports.render_pdf import render_pdf
from incidentroom.core.errors import Conflict, InvalidInput, NotFound

BATCH_FILES = ("print-file.pdf", "print-house.csv", "letters.zip")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


def report_filename(report: Report, fmt: str) -> str:
    """e.g. IR-2025-0001-RBKC-ico-v2.pdf"""
    return f"{report.breach.incident.reference}-{report.breach.organisation.code}-{report.kind}-v{report.version}.{fmt}"


def report_response(report: Report, fmt: str) -> HttpResponse:
    """The report rendered now from its frozen facts."""
    if fmt not in ("pdf", "docx"):
        raise InvalidInput("Reports are available as pdf or docx.", field="format")
    doc = document_for(report)
    body = render_pdf(doc) if fmt == "pdf" else render_docx(doc)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report, fmt)}"'
    return response


def _file(path: Path, name: str) -> FileResponse:
    if not path.is_file():
        raise NotFound("That file is no longer on the server.")
    kind = name.rsplit(".", 1)[-1]
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )


def batch_file(batch: LetterBatch, name: str) -> FileResponse:
    """One of the batch's combined files (a fixed list: no path from the request reaches the disk)."""
    if name not in BATCH_FILES:
        raise NotFound(f"No file {name!r} in this batch.")
    if batch.status != BatchStatus.READY:
        raise Conflict("The letters are still being prepared; try again when the batch is ready.")
    return _file(Path(batch.directory) / name, name)


def letter_file(letter: Letter) -> FileResponse:
    """One person's letter."""
    if letter.batch.status != BatchStatus.READY:
        raise Conflict("The letters are still being prepared; try again when the batch is ready.")
    return _file(Path(letter.batch.directory) / "letters" / letter.filename, letter.filename)
