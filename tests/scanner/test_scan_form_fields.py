"""A name ends at a wide gap: OCR and fixed-width forms put the next field on the same line."""

from __future__ import annotations

import pytest

from incidentroom.scanner.detect.matcher import detect, detect_python
from incidentroom.scanner.model import Location


@pytest.mark.parametrize("engine", [detect, detect_python])
@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Name: Brandon Ellis    Nationality: GBR", "Brandon Ellis"),
        ("Full name: Mrs Carys Bowen     Ward: Riverside", "Mrs Carys Bowen"),
        ("Applicant: Dafydd Price   Date of birth: 01/02/1970", "Dafydd Price"),
        ("Mr Owain Jenkins      Reference: AB12", "Mr Owain Jenkins"),
        ("Name: Brandon James Nationality: GBR", "Brandon James"),  # OCR closed the gap
        ("Tenant: Mr Huw Rees Tel: 01632 960000", "Mr Huw Rees"),
        ("Client: Mrs Ann  Lee", "Mrs Ann Lee"),  # a typed double space is not a gap
    ],
)
def test_a_name_stops_at_the_next_field_on_its_line(engine: object, line: str, name: str) -> None:
    found = [f.value for f in engine(line.encode(), Location()) if f.category == "name"]  # type: ignore[operator]
    assert found == [name]
