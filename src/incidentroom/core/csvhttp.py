"""CSV downloads: every CSV a page offers is written by :mod:`incidentroom.csvfile` and sent here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

from incidentroom import csvfile

CONTENT_TYPE = "text/csv; charset=utf-8"


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    safe_name = "".join(c for c in filename if c.isalnum() or c in "-_.") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'


def csv_response(filename: str, header: Sequence[object], rows: Iterable[Iterable[object]]) -> HttpResponse:
    """An attachment written through the one CSV writer (formula guard, BOM, CRLF)."""
    response = HttpResponse(csvfile.to_bytes(header, rows), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response


def csv_stream_response(
    filename: str, header: Sequence[object], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """The same, sent row by row, for exports that can run to many thousands of rows."""
    response = StreamingHttpResponse(csvfile.stream(header, rows), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response
