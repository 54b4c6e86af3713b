"""The extractor registry: one class per name, refused when a second one claims it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from incidentroom.scanner.extract import Blob, Extractor, Limits, Output, all_extractors
from incidentroom.scanner.extract.text import TextExtractor

pytestmark = pytest.mark.nodb


def test_every_registered_extractor_has_its_own_name() -> None:
    names = [e.name for e in all_extractors()]
    assert len(names) == len(set(names)) and "pdf" in names and "text" in names


def test_a_second_extractor_with_a_taken_name_is_refused_when_defined() -> None:
    with pytest.raises(
        TypeError, match="'pdf'.*already taken by incidentroom.scanner.extract.pdf.PdfExtractor"
    ):

        class AnotherPdf(Extractor):
            name = "pdf"
            extensions = ("pdf",)

            def extract(self, blob: Blob, limits: Limits) -> Iterator[Output]:
                yield from ()


def test_a_subclass_that_inherits_its_parents_name_is_refused() -> None:
    with pytest.raises(TypeError, match="must declare its own name"):

        class Notes(TextExtractor):
            extensions = ("notes",)


def test_an_abstract_intermediate_class_needs_no_name() -> None:
    class Family(Extractor):
        extensions = ()

    assert "name" not in Family.__dict__
