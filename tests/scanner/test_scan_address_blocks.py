"""An address block holds only address lines, also when it is quoted in a reply.

Written from how residents' replies look in a complaints mailbox: the council's answer on
top, then the resident's first message quoted line by line with '> ' (or '>> ' for a
reply to a reply), ending with a sign-off, the resident's name and their address. The
quotation marks, the sign-off and the name are not address lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.scanhelp import scan


@pytest.mark.parametrize("quote", ["> ", ">", ">> ", "> > "])
@pytest.mark.parametrize("sign_off", ["Yours faithfully,", "Kind regards,", "Many thanks", "Regards"])
def test_quoted_signature_address(tmp_path: Path, quote: str, sign_off: str) -> None:
    body = (
        "Dear Mr Palmer,\nThank you for your message. We will reply within 10 days.\n\n"
        f"{quote}I am writing about the missed bin collections on my road.\n"
        f"{quote}{sign_off}\n{quote}Daniel Palmer\n{quote}Flat 2, Hodgson Station\n{quote}London NW9 6PA\n"
    )
    root = tmp_path / "in"
    root.mkdir()
    (root / "reply.txt").write_text(body, encoding="utf-8")
    people = scan(root, tmp_path / "out").individuals
    palmer = next(p for p in people if p["full_name"].endswith("Palmer"))
    assert palmer["postcode"] == "NW9 6PA"
    assert palmer["address"] == "Flat 2, Hodgson Station, London, NW9 6PA"
