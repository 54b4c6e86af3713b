"""An organisation's address is nobody's home.

Licensing applications, business rates bills, HR files and referral forms give the
address of a place as well as of a person: 'Premises: The Crown, 149 High Street, London
SE1 7PB' above 'Designated premises supervisor: Mr Hưng Dương', 'Employer: Acme Ltd, 5 Mill
Lane', a 'Registered office', a 'Business address' column. Such an address is the
premises' or the employer's; a letter about a breach of a person's data sent there goes
to the pub, not to the person. So an address under such a label (a line label in text,
a column header in a table) is kept as a detection and given to no one.

A label is the premises' when every word of it, the address words aside, names a place
of business: 'Premises', 'Business address', 'Address of premises', 'Place of work',
'Registered office'. 'Designated premises supervisor' names a person ('supervisor'), so
an address on that line stays theirs.
"""

from __future__ import annotations

import re

_PLACE_WORDS = frozenset(
    """premises business businesses trading company registered office head branch site shop store
    employer employers work workplace place organisation organization venue school surgery practice
    nursery club pub restaurant hotel warehouse depot factory""".split()
)
# Words that say 'the address of' without saying whose.
_ADDRESS_WORDS = frozenset(
    "address addresses postcode post code location details full of the and its".split()
)
_WORD = re.compile(r"[a-z]+")
# A line label: up to 40 characters before a colon at the start of the line.
_LABEL = re.compile(r"^\s*([^:\n]{1,40}):")


def place_label(label: str) -> bool:
    """True when a label or column header names the address of a place, not of a person."""
    words = _WORD.findall(label.lower().replace("'s", "").replace("\u2019s", ""))
    rest = [w for w in words if w not in _ADDRESS_WORDS]
    return bool(rest) and all(w in _PLACE_WORDS for w in rest)


def place_address_at(text: str, start: int) -> bool:
    """True when the address block ending at ``start`` (a postcode) sits under a place label.

    The label is the one on the postcode's own line, else on the nearest line above it in
    the same block (no blank line between), looking at most four lines up.
    """
    line_start = text.rfind("\n", 0, start) + 1
    end = start
    for _ in range(5):
        line = text[line_start:end]
        if not line.strip():
            return False
        label = _LABEL.match(line) if ":" in line else None  # most lines have no label
        if label:
            return place_label(label.group(1))
        if line_start == 0:
            return False
        end = line_start - 1
        line_start = text.rfind("\n", 0, end) + 1
    return False
