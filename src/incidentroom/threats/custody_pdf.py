"""The printable chain-of-custody record of one evidence item (PDF, through the product's one
PDF renderer, so names in any script and text of any length print correctly)."""

from __future__ import annotations

from django.utils import timezone

from incidentroom.core import times
from incidentroom.core.pdf import pdf_text, render_pdf_template
from incidentroom.threats.models import EvidenceItem


def custody_record_pdf(item: EvidenceItem) -> bytes:
    """One page (or more) a police officer can sign: the item, its hash, every hand-over and check."""
    custody = [
        {
            "when": times.uk_time(c.at, "short"),
            "from_party": pdf_text(c.from_party),
            "to_party": pdf_text(c.to_party),
            "purpose": pdf_text(c.purpose),
            "recorded_by": c.recorded_by.username if c.recorded_by else "",
        }
        for c in item.custody.select_related("recorded_by")
    ]
    checks = [
        {
            "when": times.uk_time(c.at, "short"),
            "matches": c.matches,
            "observed": c.observed_sha256,
            "method": pdf_text(c.method),
            "checked_by": c.checked_by.username if c.checked_by else "",
        }
        for c in item.hash_checks.select_related("checked_by")
    ]
    return render_pdf_template(
        "threats/pdf/custody.html",
        {
            "title": f"Chain of custody {item.reference}",
            "item": item,
            "description": pdf_text(item.description),
            "size": f"{item.size_bytes:,}" if item.size_bytes is not None else "",
            "collected_at": times.uk_time(item.collected_at, "short"),
            "collected_where": pdf_text(item.collected_where),
            "storage_location": pdf_text(item.storage_location),
            "custody": custody,
            "checks": checks,
            "printed": times.uk_time(timezone.now()),
            "numbered": True,
        },
    )
