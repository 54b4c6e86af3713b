"""Render a :class:`Document` to DOCX with python-docx, so a DPO can edit before filing."""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.text import WD_COLOR_INDEX

from incidentroom.breach.reports.document import Document
from incidentroom.breach.reports.document import clean_text as _clean


def render_docx(doc: Document) -> bytes:
    """One document as DOCX bytes."""
    out = new_docx()
    for line in doc.address:
        out.add_paragraph(_clean(line))
    if doc.sender:
        out.add_paragraph(_clean("\n".join(doc.sender)))
    if doc.date:
        out.add_paragraph(_clean(doc.date))
    out.add_heading(_clean(doc.title), level=1)
    if doc.subtitle:
        out.add_paragraph(_clean(doc.subtitle))
    if doc.greeting:
        out.add_paragraph(_clean(doc.greeting))
    for section in doc.sections:
        out.add_heading(_clean(section.heading), level=2)
        if section.items:
            table = out.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for item in section.items:
                cells = table.add_row().cells
                label = (
                    cells[0]
                    .paragraphs[0]
                    .add_run(_clean(item.label + (" (updated)" if item.changed else "")))
                )
                label.bold = True
                value = cells[1].paragraphs[0].add_run(_clean(item.value or "-"))
                if item.changed:
                    value.font.highlight_color = WD_COLOR_INDEX.YELLOW
        for text in section.paragraphs:
            out.add_paragraph(_clean(text))
        for bullet in section.bullets:
            out.add_paragraph(_clean(bullet), style="List Bullet")
    if doc.footer:
        out.add_paragraph(_clean(doc.footer))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
