"""Render :class:`Document` objects to PDF through the ``pdf/document.html`` template.

Everything drawn comes from data (names, addresses, free text typed by people); the
template escapes it, keeps its line breaks and lets it flow across pages at any length.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from incidentroom.breach.reports.document import Document, Section, clean_text
from incidentroom.core.pdf import FONT_STACK, layout, render_pdf_template

TEMPLATE = "pdf/document.html"


def cleaned(doc: Document) -> Document:
    """A copy with control characters dropped from every text (a corrupt value must not stop
    a report or a print run)."""
    return Document(
        title=clean_text(doc.title),
        subtitle=clean_text(doc.subtitle),
        address=[clean_text(x) for x in doc.address],
        sender=[clean_text(x) for x in doc.sender],
        date=clean_text(doc.date),
        greeting=clean_text(doc.greeting),
        sections=[
            Section(
                heading=clean_text(s.heading),
                items=[
                    dataclasses.replace(i, label=clean_text(i.label), value=clean_text(i.value))
                    for i in s.items
                ],
                paragraphs=[clean_text(p) for p in s.paragraphs],
                bullets=[clean_text(b) for b in s.bullets],
            )
            for s in doc.sections
        ],
        footer=clean_text(doc.footer),
    )


def _context(docs: Sequence[Document], title: str, *, numbered: bool) -> dict[str, Any]:
    return {"docs": [cleaned(d) for d in docs], "title": clean_text(title), "numbered": numbered}


def render_pdf_many(docs: Sequence[Document], *, title: str) -> bytes:
    """Several documents in one PDF, each starting on a new page (the print file)."""
    return render_pdf_template(TEMPLATE, _context(docs, title, numbered=False))


def layout_many(docs: Sequence[Document], *, title: str) -> Any:
    """Several documents laid out (a ``weasyprint.Document``); document ``n`` starts on the
    page whose anchors include ``doc-n``."""
    from django.template.loader import render_to_string

    html = render_to_string(TEMPLATE, {"font_stack": FONT_STACK, **_context(docs, title, numbered=False)})
    return layout(html)


def render_pdf(doc: Document) -> bytes:
    """One document as PDF (reports carry page numbers)."""
    return render_pdf_template(TEMPLATE, _context([doc], doc.title, numbered=True))
