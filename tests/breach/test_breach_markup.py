"""The breach page's markup nests as written: "Telling people" stays in its two-column grid
and every link of the page stays inside <main> (a stray </div> once pushed both out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.html  # type: ignore[import-untyped]
from django.contrib.auth.models import User
from django.test import Client

from incidentroom.breach.models import Breach


def _ancestor_classes(element: Any) -> list[str]:
    return [a.get("class", "") for a in element.iterancestors()]


def test_breach_page_nests_telling_people_in_its_grid_and_links_in_main(
    web: Callable[[User], Client], rbkc_dpo: User, breach: Breach
) -> None:
    body = web(rbkc_dpo).get(f"/breaches/{breach.pk}/").content.decode()
    tree = lxml.html.fromstring(body)
    main = tree.get_element_by_id("main-content")
    letters = tree.get_element_by_id("letters-form")
    emails = tree.get_element_by_id("emails-form")
    # Both forms sit in a half column of the same grid row, and the row is inside <main>.
    rows = [
        next(a for a in f.iterancestors() if "govuk-grid-row" in a.get("class", "").split())
        for f in (letters, emails)
    ]
    assert rows[0] is rows[1]
    for form in (letters, emails):
        assert form.getparent().get("class") == "govuk-grid-column-one-half", _ancestor_classes(form)
    assert main in list(rows[0].iterancestors())
    # The checkboxes of each form are in a govuk-checkboxes group (the missing opener was the bug).
    for form in (letters, emails):
        items = form.xpath(".//div[contains(concat(' ', @class, ' '), ' govuk-checkboxes__item ')]")
        assert items
        for item in items:
            assert "govuk-checkboxes" in item.getparent().get("class", "").split()
    # Every content link (not the header's or footer's) is inside <main>.
    header = tree.find(".//header")
    footer = tree.find(".//footer")
    for link in tree.iter("a"):
        if header in list(link.iterancestors()) or footer in list(link.iterancestors()):
            continue
        if "govuk-skip-link" in link.get("class", ""):
            continue
        assert main in list(link.iterancestors()), link.text_content()
    # The public notice section and the assessment follow "Telling people" inside <main>.
    for anchor in ("public", "assessment"):
        assert main in list(tree.get_element_by_id(anchor).iterancestors())
