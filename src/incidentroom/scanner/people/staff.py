"""Council staff named in a document are not its subject.

Letters, forms and case notes name the officer who wrote or handled them: 'Licensing
officer: Luke Mason, 020 7946 0000', a footer 'Social worker: Hayley Booth, tel ...', a
sign-off 'Kind regards,\\nHenry Kelly\\nHousing Options | ...', 'Hayley Booth, Adult Social
Care.', 'GP Dr Anwar at Hill Road Surgery'. Such a name is not a person whose data was
breached, and the contact details written with it are the office's, never the resident's:
a name recognised here starts no record, and the identifiers on its line (and, for a
signature block, on the office line under it) go to nobody.
"""

from __future__ import annotations

import re

# A role label just before the name on its line ('Permit officer:', 'GP Dr', 'Signed by').
_ROLE_BEFORE = re.compile(
    rb"(?i)\b(?:officer|social worker|key worker|support worker|caseworker|case worker|adviser|advisor"
    rb"|manager|co-?ordinator|practitioner|nurse|gp|doctor|inspector|assessor|surveyor|clerk"
    rb"|team leader|head of [a-z ]+|signed(?: by)?|prepared by|completed by|approved by|authori[sz]ed by"
    rb"|checked by|handled by|allocated to|assigned to|received by|taken by|entered by|logged by|recorded by"
    # Elected members named in their office ('Cllr Paul Jones (Chair)') act for the council.
    rb"|cllr\.?|councillor)"
    rb"[ \t]*[:,\-\x96\x97]?[ \t]*(?:(?:dr|mr|mrs|ms|miss|mx)\.?[ \t]+)?$"
)
# What follows a staff name on its line: the team, the office or the surgery.
_ORG_WORDS = (
    rb"care|services?|team|options|council|department|directorate|unit|surgery|practice|health centre"
    rb"|medical centre|officer|manager|adviser|advisor|worker|head of|borough"
)
_ORG_AFTER = re.compile(
    rb"^[ \t]*(?:[,|(\x96\x97-]|at\b)[ \t]*(?:[A-Z][\w'\x80-\xff&]*[ \t]+|of[ \t]+|the[ \t]+|and[ \t]+){0,5}?"
    rb"(?i:" + _ORG_WORDS + rb")\b"
)
# A line that is an office, under a signature: 'Housing Options | 020 ...', 'Parking Services'.
_ORG_LINE = re.compile(
    rb"^[ \t]*(?:[A-Z][\w'\x80-\xff&]*[ \t]+|of[ \t]+|the[ \t]+|and[ \t]+){0,4}(?i:" + _ORG_WORDS + rb")\b"
)
_VALEDICTION = re.compile(
    rb"(?i)^[ \t>]*(?:(?:kind|best|warm|many)[ \t]+(?:regards|thanks)|regards|yours[ \t]+(?:sincerely|faithfully|truly)"
    rb"|thanks|thank you)[ \t]*,?[ \t]*$"
)


def staff_until(data: bytes, start: int, end: int) -> int | None:
    """If the name at ``data[start:end]`` is a member of staff, the offset up to which what
    follows is theirs (their line, or their signature's office line); else ``None``."""
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", end)
    line_end = len(data) if line_end == -1 else line_end
    if _ROLE_BEFORE.search(data[line_start:start]) or _ORG_AFTER.match(data[end:line_end]):
        return line_end
    if data[line_start:start].strip(b" \t>") or data[end:line_end].strip(b" \t,"):
        return None
    # A signature block: a valediction line above the name alone on its line, and an
    # office line below it. A resident signing 'Yours faithfully' has no office line.
    above = data[: max(line_start - 1, 0)].rstrip(b" \t\r")
    above_line = above[above.rfind(b"\n") + 1 :]
    next_end = data.find(b"\n", line_end + 1)
    below = data[line_end + 1 : len(data) if next_end == -1 else next_end]
    if _VALEDICTION.match(above_line) and _ORG_LINE.match(below.lstrip(b" \t>")):
        return len(data) if next_end == -1 else next_end
    return None
