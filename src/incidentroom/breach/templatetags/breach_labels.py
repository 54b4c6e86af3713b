"""``{{ codes|category_labels }}``: people read "National Insurance number", never the
scanner's code ``national_insurance_number``."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from incidentroom.breach import categories

register = template.Library()


@register.filter
def category_labels(codes: Iterable[str] | None) -> str:
    """The categories' human labels, comma separated, in the order given."""
    return ", ".join(categories.label(c) for c in (codes or ()))
