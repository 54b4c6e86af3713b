"""What residents read about a breach: the DPO's plain-English wording, and its approval.

A breach has two sets of words. The assessment (description, data sets, measures, likely
consequences) is the internal record written for the ICO, the police and the insurer: it
names systems, data sets and root causes ("shared Active Directory credentials reset").
Residents read only the four resident fields below, written for them, plus the fixed
plain-English category text. Nothing from the assessment is ever pasted into a letter, an
email or the public notice (tests read every generated document back to check).

The DPO approves the wording after reading a preview of the letter and the email; letters,
emails and the public notice are generated only from approved wording, and changing any
resident field withdraws the approval. The writes (save, approve) are in
``breach.actions.wording``; this module holds the reads and the check every action that
makes something residents read calls first.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from incidentroom.breach.models import Breach
from incidentroom.core import times
from incidentroom.core.errors import Conflict

RESIDENT_FIELDS = (
    "resident_what_happened",
    "resident_what_it_means",
    "resident_what_we_are_doing",
    "resident_what_you_can_do",
)
LABELS = {
    "resident_what_happened": "What happened",
    "resident_what_it_means": "What this could mean for you",
    "resident_what_we_are_doing": "What we are doing",
    "resident_what_you_can_do": "What you can do",
}
MAX_LENGTH = 3000

# What residents read when the DPO leaves "What we are doing" blank. It is fixed text sent
# without anyone checking it against the incident, so it claims nothing that may be false on
# the day: not that reports were made (the report clocks may still be running), not that the
# systems are secure or the attackers shut out (containment may not be finished).
DEFAULT_DOING = (
    "We are investigating what happened with specialist help. "
    "We will contact you again if we find more information about you."
)
# The public notice is read by people nobody has written to (and may not write to), so it
# promises no letter, "again" or otherwise.
DEFAULT_DOING_PUBLIC = (
    "We are investigating what happened with specialist help. We will update this notice if we find out more."
)


@dataclass(frozen=True)
class ResidentText:
    """The wording as residents will read it (blank optional fields already filled in)."""

    what_happened: list[str]
    what_it_means: list[str]
    what_we_are_doing: list[str]
    what_you_can_do: list[str]


def paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each trimmed; a single line break inside a
    paragraph is kept (an address, a list of opening hours)."""
    blocks = re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n"))
    return [b.strip() for b in blocks if b.strip()]


def suggested_what_happened(breach: Breach) -> str:
    """A starting point for the DPO (plain English, no internal detail): shown in the form,
    never used unless the DPO saves it."""
    aware = times.uk_time(breach.became_aware_at, "date")
    return (
        f"On {aware} we found that criminals had copied some information from our computer systems "
        "during a cyber attack. We are writing to tell you what information about you was involved "
        "and what you can do."
    )


def text_for(breach: Breach, *, public: bool = False) -> ResidentText:
    """The resident wording of a breach, with the fixed default for an optional blank field
    (``public``: the wording for the public notice, whose readers have had no letter)."""
    default = DEFAULT_DOING_PUBLIC if public else DEFAULT_DOING
    return ResidentText(
        what_happened=paragraphs(breach.resident_what_happened),
        what_it_means=paragraphs(breach.resident_what_it_means),
        what_we_are_doing=paragraphs(breach.resident_what_we_are_doing) or [default],
        what_you_can_do=paragraphs(breach.resident_what_you_can_do),
    )


def wording_hash(breach: Breach) -> str:
    """A fingerprint of the four resident fields (what an approval applies to)."""
    data = json.dumps([getattr(breach, f) for f in RESIDENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def is_approved(breach: Breach) -> bool:
    """The current wording is the wording the DPO approved after the preview."""
    return (
        breach.resident_text_approved_at is not None
        and breach.resident_text_approved_hash == wording_hash(breach)
    )


def require_approved(breach: Breach, doing: str) -> None:
    """Refuse to send or generate anything residents read from wording nobody approved."""
    if not breach.resident_what_happened.strip():
        raise Conflict(
            f"Write what residents will read (What happened) and approve the preview before you {doing}.",
            field="resident_what_happened",
        )
    if not is_approved(breach):
        raise Conflict(
            f"Check the preview of the letter and email and approve the wording before you {doing}.",
            field="approval",
        )
