"""A format-neutral document: what the PDF and DOCX renderers draw."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from incidentroom.core.pdf import clean_text

__all__ = ["DRAFT_MARK", "Document", "Item", "Section", "clean_text", "is_rtl"]

DRAFT_MARK = "DRAFT - not yet submitted"


def is_rtl(text: str) -> bool:
    """True when the text's first strong character is right-to-left (Unicode bidi rules P2
    and P3): an Arabic or Hebrew paragraph, whatever Latin it quotes later."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


@dataclass
class Item:
    """A labelled answer (a form field); ``changed`` marks what a follow-up updates."""

    label: str
    value: str
    changed: bool = False


@dataclass
class Section:
    """A heading with labelled answers, paragraphs and bullet points, in that order."""

    heading: str
    items: list[Item] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Document:
    """A report or a letter. Letters use ``letterhead`` (the council's name at the top),
    ``address`` (the recipient block), ``sender`` (the council's address and reference) and
    ``signoff``. ``draft`` marks every page of a report nobody has filed yet."""

    title: str
    subtitle: str = ""
    address: list[str] = field(default_factory=list)
    sender: list[str] = field(default_factory=list)
    date: str = ""
    greeting: str = ""
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    letterhead: str = ""
    signoff: list[str] = field(default_factory=list)
    draft: bool = False

    def plain_text(self) -> str:
        """The whole document as plain text (the email body; also handy in tests)."""
        lines: list[str] = []
        if self.draft:
            lines += [DRAFT_MARK, ""]
        if self.letterhead:
            lines += [self.letterhead, ""]
        if self.address:
            lines += [*self.address, ""]
        if self.date:
            lines += [self.date, ""]
        lines += [self.title]
        if self.subtitle:
            lines.append(self.subtitle)
        if self.greeting:
            lines += ["", self.greeting]
        for section in self.sections:
            lines += ["", section.heading, ""]
            lines += [f"{i.label}: {i.value}" for i in section.items]
            for p in section.paragraphs:
                lines += [p, ""]
            lines += [f"- {b}" for b in section.bullets]
        if self.signoff:
            lines += ["", *self.signoff]
        if self.footer:
            lines += ["", self.footer]
        return "\n".join(lines).strip() + "\n"
