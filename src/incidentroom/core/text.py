"""Control characters at the boundary and at the writers.

Text pasted from PowerPoint or Outlook carries C0 and C1 control characters (U+000B is a
line break there). XML 1.0 cannot hold most of them, so one stored U+000B once broke every
Atom feed; a CR or LF in a one-line field becomes a header injection in an email subject.

- ``clean_text`` (multi-line fields): line-break look-alikes become ``\\n``; other control
  characters are refused.
- ``clean_line`` (titles, subjects, names): as above, and a line break is refused too.
- ``printable`` (writers): what is already stored, stripped of anything an XML or HTML
  writer cannot carry, so rows stored before these checks never break a page.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from incidentroom.core.errors import InvalidInput

# Characters that mean "new line" in some editor: CRLF, CR, VT, FF, NEL, LS, PS.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Not allowed in XML 1.0 at all (besides the controls): lone surrogates and U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ControlCharacterError(InvalidInput):
    """Text holds a control character that no field accepts."""

    code = "control_character"


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def clean_text(value: str, field: str | None = None) -> str:
    """A multi-line value with line breaks normalised to ``\\n``; other controls refused."""
    value = _LINE_BREAKS.sub("\n", value)
    bad = _CONTROL.search(value)
    if bad:
        raise ControlCharacterError(
            f"{field or 'The text'} contains the control character {_describe(bad.group())}; remove it.",
            field=field,
        )
    return value


def clean_line(value: str, field: str | None = None) -> str:
    """A one-line value: control characters and line breaks are refused, tabs become spaces."""
    if _LINE_BREAKS.search(value) or "\n" in value:
        raise ControlCharacterError(f"{field or 'This value'} must be on one line.", field=field)
    return clean_text(value, field).replace("\t", " ")


def check_text(value: Any, field: str | None = None) -> None:
    """Raise unless ``value`` is free of controls other than tab, CR and LF (what a textarea sends)."""
    if isinstance(value, str):
        bad = _CONTROL.search(value.replace("\r", ""))
        if bad:
            raise ControlCharacterError(
                f"{field or 'The text'} contains the control character {_describe(bad.group())}; remove it.",
                field=field,
            )


def find_control(value: str) -> str | None:
    """The first control character other than tab, CR or LF in ``value``, if any."""
    bad = _CONTROL.search(value.replace("\r", "").replace("\n", ""))
    return bad.group() if bad else None


def printable(value: str) -> str:
    """Stored text made safe for any XML or HTML writer (line breaks kept, other controls dropped)."""
    value = _LINE_BREAKS.sub("\n", value)
    return _XML_INVALID.sub("", _CONTROL.sub("", value))


def _line(value: str) -> str:
    try:
        return clean_line(value)
    except ControlCharacterError as exc:
        # pydantic turns a ValueError into a 422 entry located at the field.
        raise ValueError(exc.message) from None


def _text(value: str) -> str:
    try:
        return clean_text(value)
    except ControlCharacterError as exc:
        raise ValueError(exc.message) from None


# Query strings: a search or a code is short. (SQLite refuses LIKE patterns over 50,000
# bytes with an error, so an unbounded search box was a 500.)
Search = Annotated[str, Field(max_length=200)]
Code = Annotated[str, Field(max_length=16)]

# Schema types: pydantic reports the field's location, so the 422 names it.
Line = Annotated[str, AfterValidator(_line)]
Text = Annotated[str, AfterValidator(_text)]
