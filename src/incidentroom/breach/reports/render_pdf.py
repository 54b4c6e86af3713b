"""Render :class:`Document` objects to PDF through the ``pdf/document.html`` template.

Everything drawn comes from data (names, addresses, free text typed by people); the
template escapes it, keeps its line breaks and lets it flow across pages at any length.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from incidentroom.breach.reports.document import DRAFT_MARK, Document, Section
from incidentroom.core.pdf import FONT_STACK, layout, pdf_text, render_pdf_template

TEMPLATE = "pdf/document.html"


def cleaned(doc: Document) -> Document:
    """A copy with control characters dropped from every text (a corrupt value must not stop
    a report or a print run)."""
    return Document(
        title=pdf_text(doc.title),
        subtitle=pdf_text(doc.subtitle),
        address=[pdf_text(x) for x in doc.address],
        sender=[pdf_text(x) for x in doc.sender],
        date=pdf_text(doc.date),
        greeting=pdf_text(doc.greeting),
        sections=[
            Section(
                heading=pdf_text(s.heading),
                items=[
                    dataclasses.replace(i, label=pdf_text(i.label), value=pdf_text(i.value)) for i in s.items
                ],
                paragraphs=[pdf_text(p) for p in s.paragraphs],
                bullets=[pdf_text(b) for b in s.bullets],
            )
            for s in doc.sections
        ],
        footer=pdf_text(doc.footer),
        letterhead=pdf_text(doc.letterhead),
        signoff=[pdf_text(x) for x in doc.signoff],
        draft=doc.draft,
    )


def _context(docs: Sequence[Document], title: str) -> dict[str, Any]:
    return {
        "docs": [cleaned(d) for d in docs],
        "title": pdf_text(title),
        # The template numbers each document's own pages ("Page 2 of 3" of that letter, in
        # a print file of hundreds), so the frame's whole-file numbers stay off.
        "numbered": False,
        # A draft is marked in the page margin, so every page says so however long it runs.
        "draft_mark": DRAFT_MARK if any(d.draft for d in docs) else "",
    }


def render_pdf_many(docs: Sequence[Document], *, title: str) -> bytes:
    """Several documents in one PDF, each starting on a new page (the print file)."""
    return render_pdf_template(TEMPLATE, _context(docs, title))


def layout_many(docs: Sequence[Document], *, title: str) -> Any:
    """Several documents laid out (a ``weasyprint.Document``); document ``n`` starts on the
    page whose anchors include ``doc-n``."""
    from django.template.loader import render_to_string

    html = render_to_string(TEMPLATE, {"font_stack": FONT_STACK, **_context(docs, title)})
    return layout(html)


def render_pdf(doc: Document) -> bytes:
    """One document as PDF (reports carry page numbers)."""
    return render_pdf_template(TEMPLATE, _context([doc], doc.title))
