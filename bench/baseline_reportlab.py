"""The ReportLab renderer the letters used before WeasyPrint (Helvetica, Latin-1 only), kept
only as bench/letters.py's baseline: the same letters rendered the old way, in the same run."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from incidentroom.breach.reports.document import Document, clean_text

_styles = getSampleStyleSheet()
_BODY = ParagraphStyle("ir-body", parent=_styles["BodyText"], fontSize=10.5, leading=14)
_SMALL = ParagraphStyle(
    "ir-small", parent=_BODY, fontSize=9, leading=12, textColor=colors.HexColor("#505a5f")
)
_H1 = ParagraphStyle("ir-h1", parent=_styles["Heading1"], fontSize=17, leading=21, spaceAfter=4)
_H2 = ParagraphStyle(
    "ir-h2", parent=_styles["Heading2"], fontSize=13, leading=16, spaceBefore=10, spaceAfter=4
)
_LABEL = ParagraphStyle("ir-label", parent=_BODY, fontName="Helvetica-Bold")


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    # Everything drawn comes from data (names, addresses, free text typed by people), so it
    # is escaped: reportlab treats the text as mini-markup and would choke on '<' or '&'.
    return Paragraph(escape(clean_text(text)).replace("\n", "<br/>"), style)


def _flowables(doc: Document) -> list[Any]:
    story: list[Any] = []
    if doc.sender or doc.address:
        block = Table(
            [[[_p(line) for line in doc.address], [_p(line, _SMALL) for line in doc.sender]]],
            colWidths=[95 * mm, 75 * mm],
        )
        block.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        story += [block, Spacer(1, 8 * mm)]
    if doc.date:
        story += [_p(doc.date), Spacer(1, 4 * mm)]
    story.append(_p(doc.title, _H1))
    if doc.subtitle:
        story.append(_p(doc.subtitle, _SMALL))
    if doc.greeting:
        story += [Spacer(1, 2 * mm), _p(doc.greeting)]
    for section in doc.sections:
        parts: list[Any] = [_p(section.heading, _H2)]
        if section.items:
            rows = [
                [_p(item.label + (" (updated)" if item.changed else ""), _LABEL), _p(item.value or "-")]
                for item in section.items
            ]
            table = Table(rows, colWidths=[60 * mm, 110 * mm])
            style = [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ]
            style += [
                ("BACKGROUND", (0, n), (-1, n), colors.HexColor("#fff7bf"))
                for n, item in enumerate(section.items)
                if item.changed
            ]
            table.setStyle(TableStyle(style))
            parts.append(table)
        parts += [_p(text) for text in section.paragraphs]
        if section.bullets:
            parts.append(
                ListFlowable([ListItem(_p(b), leftIndent=12) for b in section.bullets], bulletType="bullet")
            )
        # Keep a heading with the start of its content rather than orphaned at a page foot.
        story.append(KeepTogether(parts[:2]))
        story += parts[2:]
    if doc.footer:
        story += [Spacer(1, 6 * mm), _p(doc.footer, _SMALL)]
    return story


def render_pdf_many(docs: Sequence[Document], *, title: str) -> bytes:
    """Several documents in one PDF, each starting on a new page (the print file)."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Incident Room",
    )
    story: list[Any] = []
    for n, doc in enumerate(docs):
        if n:
            story.append(PageBreak())
        story += _flowables(doc)
    if not story:
        story.append(_p("No documents."))
    template.build(story)
    return buffer.getvalue()


def render_pdf(doc: Document) -> bytes:
    """One document as PDF."""
    return render_pdf_many([doc], title=doc.title)
