"""Render a :class:`Document` to DOCX with python-docx, so a DPO can edit before filing.

Text is stored as typed (any script); line breaks become Word line breaks, and a paragraph
or run whose text is right-to-left is marked so, so Word lays Arabic and Hebrew out right
to left with its complex-script font.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph

from incidentroom.breach.reports.document import DRAFT_MARK, Document, is_rtl
from incidentroom.breach.reports.document import clean_text as _clean


def _mark_rtl(paragraph: Paragraph, text: str) -> None:
    if not is_rtl(text):
        return
    paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))  # noqa: SLF001 - python-docx has no API for it
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))  # noqa: SLF001


def _add(container: Any, text: str, style: str | None = None) -> Paragraph:
    text = _clean(text)
    paragraph: Paragraph = container.add_paragraph(text, style=style)
    _mark_rtl(paragraph, text)
    return paragraph


def render_docx(doc: Document) -> bytes:
    """One document as DOCX bytes."""
    out = new_docx()
    if doc.draft:
        # In the page header, so every page of the draft says so (and survives edits to the body).
        header = out.sections[0].header.paragraphs[0]
        run = header.add_run(DRAFT_MARK)
        run.bold = True
        run.font.color.rgb = RGBColor(0xD4, 0x35, 0x1C)
    if doc.letterhead:
        for run in _add(out, doc.letterhead).runs:
            run.bold = True
    for line in doc.address:
        _add(out, line)
    if doc.sender:
        _add(out, "\n".join(doc.sender))
    if doc.date:
        _add(out, doc.date)
    title = out.add_heading(_clean(doc.title), level=1)
    _mark_rtl(title, doc.title)
    if doc.subtitle:
        _add(out, doc.subtitle)
    if doc.greeting:
        _add(out, doc.greeting)
    for section in doc.sections:
        heading = out.add_heading(_clean(section.heading), level=2)
        _mark_rtl(heading, section.heading)
        if section.items:
            table = out.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for item in section.items:
                cells = table.add_row().cells
                label_text = _clean(item.label + (" (updated)" if item.changed else ""))
                label = cells[0].paragraphs[0].add_run(label_text)
                label.bold = True
                _mark_rtl(cells[0].paragraphs[0], label_text)
                value_text = _clean(item.value or "-")
                value = cells[1].paragraphs[0].add_run(value_text)
                _mark_rtl(cells[1].paragraphs[0], value_text)
                if item.changed:
                    value.font.highlight_color = WD_COLOR_INDEX.YELLOW
        for text in section.paragraphs:
            _add(out, text)
        for bullet in section.bullets:
            _add(out, bullet, style="List Bullet")
    if doc.signoff:
        _add(out, "\n".join(doc.signoff))
    if doc.footer:
        _add(out, doc.footer)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
