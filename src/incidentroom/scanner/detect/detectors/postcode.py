"""UK postcodes under the full Royal Mail format rules (reported as ``address``)."""

from __future__ import annotations

from typing import ClassVar

from .base import Candidate, Detector, Hit

# Position rules: the first letter is never Q, V or X; the second never I, J or Z; a
# third-position letter is one of ABCDEFGHJKPSTUW; a fourth-position letter one of
# ABEHMNPRVWXY; the inward code's letters never include C, I, K, M, O or V.
_OUTWARD = r"(?:[A-PR-UWYZ]\d{1,2}|[A-PR-UWYZ][A-HK-Y]\d{1,2}|[A-PR-UWYZ]\d[A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY])"
_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}"
# A lower-case inward code after an outward code with capitals is an ordinal in running
# text ('room B12 3rd floor'): digit -> its ordinal suffix. All in lower case ('b33 8th')
# it is a postcode typed in lower case.
_ORDINALS = {str(d): "th" for d in range(10)} | {"1": "st", "2": "nd", "3": "rd"}


def normalise_postcode(raw: str) -> str:
    """Upper case with exactly one space before the inward code."""
    compact = raw.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


class UkPostcodeDetector(Detector):
    """A full UK postcode, the anchor of an address.

    The rule followed is Royal Mail's postcode format (Programmers' Guide to the PAF):
    outward code A9, A99, AA9, AA99, A9A or AA9A, then one space and the inward code
    9AA, with the position rules above. Any letter case (``sw1a 0aa``, ``EC2V 7hh``);
    any Unicode space in place of the space (folded by :mod:`..normalise`).
    """

    name = "uk_postcode"
    context_free = True
    category = "address"
    kernel = "postcode"
    patterns: ClassVar[tuple[str, ...]] = (rf"(?i)\b{_OUTWARD}[ ]?{_INWARD}\b",)
    header_words = ("postcode", "post code", "postal code")

    def validate(self, cand: Candidate) -> Hit | None:
        """The pattern encodes every position rule; an ordinal ('B12 3rd floor') is not an inward code."""
        value = cand.value
        if value[-2:] == _ORDINALS.get(value[-3], "") and not value[:-3].islower():
            return None
        return Hit(cand.value, normalise_postcode(cand.value), 0.9)
