"""report.html: a self-contained page (inline CSS and SVG, no script, no CDN)."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from .results import REPORT_HTML


def _bar_chart(title: str, data: dict[str, int], colour: str = "#1d70b8") -> str:
    """A horizontal bar chart as inline SVG with a text table fallback for screen readers."""
    items = [(k, v) for k, v in data.items()]
    if not items:
        return f"<h2>{html.escape(title)}</h2><p>None.</p>"
    top = max((v for _, v in items), default=0) or 1
    bar_h, gap, label_w, chart_w = 22, 6, 220, 420
    height = len(items) * (bar_h + gap) + gap
    slug = "t-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    parts = [
        f'<svg role="img" aria-labelledby="{slug}" width="{label_w + chart_w + 80}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{slug}">{html.escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_h + gap)
        width = int(chart_w * value / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="14">{html.escape(str(label))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{width}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + width + 6}" y="{y + 16}" font-size="14">{value}</text>'
        )
    parts.append("</svg>")
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{v}</td></tr>" for k, v in items)
    table = f"<details><summary>Table</summary><table><tr><th>Item</th><th>Count</th></tr>{rows}</table></details>"
    return f"<h2>{html.escape(title)}</h2>{''.join(parts)}{table}"


def render(summary: dict[str, Any]) -> str:
    """The whole report page for a summary dict."""
    ico = summary["ico"]
    risk_colours = {"high": "#d4351c", "medium": "#f47738", "low": "#00703c"}
    risk_chart = "".join(
        _bar_chart(f"{level.title()} risk", {level: count}, risk_colours[level])
        for level, count in summary["individuals_by_risk"].items()
    )
    facts = [
        ("Approximate number of data subjects", ico["approximate_data_subjects"]),
        ("Approximate number of personal data records", ico["approximate_personal_data_records"]),
        ("High-risk data subjects (Art 34)", ico["high_risk_data_subjects"]),
        ("Categories of personal data", ", ".join(ico["categories_of_personal_data"]) or "none"),
        ("Special category data", ", ".join(ico["special_category_data"]) or "none"),
        ("Criminal offence data", "yes" if ico["criminal_offence_data"] else "no"),
        ("Files seen", summary["files_total"]),
        ("Scan complete", "yes" if summary.get("complete", True) else "no"),
    ]
    fact_rows = "".join(
        f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts
    )
    categories = {k: v for k, v in summary["individuals_by_category"].items() if v}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Breach impact report</title>
<style>body{{font-family:Arial,sans-serif;margin:2em;max-width:60em;color:#0b0c0c}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #b1b4b6;padding:4px 12px;text-align:left}}
h1{{font-size:2em}}h2{{margin-top:1.5em}}</style></head>
<body><h1>Breach impact report</h1>
<p>Who is in the scanned data and what about them is exposed. Figures for the ICO breach report
(UK GDPR Art 33) are in the first table.</p>
<table>{fact_rows}</table>
<h2>Individuals by risk</h2>{risk_chart}
{_bar_chart("Individuals by category", categories)}
{_bar_chart("Individuals by source folder", summary["individuals_by_source_root"], "#4c2c92")}
{_bar_chart("Individuals by document year", summary["individuals_by_document_year"], "#28a197")}
{_bar_chart("Files by status", summary["files_by_status"], "#505a5f")}
</body></html>
"""


def write_report(summary: dict[str, Any], out_dir: Path) -> Path:
    """Write report.html atomically."""
    final = out_dir / REPORT_HTML
    tmp = final.with_suffix(".html.tmp")
    tmp.write_text(render(summary), encoding="utf-8")
    os.replace(tmp, final)
    return final
