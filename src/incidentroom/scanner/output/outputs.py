"""Writers for the five outputs: individuals.csv, detections.parquet, manifest.parquet,
summary.json and report.html. Every file is written to a temporary name and renamed,
so a crash never leaves a half-written output behind."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from incidentroom import csvfile

from ..detect.vocab import CATEGORIES, SPECIAL_CATEGORIES, category_order
from ..people.aggregate import Aggregate
from .results import (
    DECEASED_YES,
    DETECTIONS_PARQUET,
    INDIVIDUAL_COLUMNS,
    INDIVIDUALS_CSV,
    MANIFEST_PARQUET,
    MANIFEST_STATUSES,
    SUMMARY_JSON,
    detection_schema,
    join_list,
    manifest_schema,
)


def _replace(tmp: Path, final: Path) -> None:
    os.replace(tmp, final)


def write_individuals(agg: Aggregate, out_dir: Path) -> Path:
    """The notification list, one row per individual, sorted by person id."""
    final = out_dir / INDIVIDUALS_CSV
    tmp = final.with_suffix(".csv.tmp")
    # The one CSV writer (formula guard, BOM for Excel); the breach importer reads it back
    # through the same module, so a guarded name arrives exactly as it was found.
    csvfile.write_file(
        tmp,
        INDIVIDUAL_COLUMNS,
        (
            [
                p.person_id,
                p.full_name,
                p.date_of_birth,
                p.address,
                p.postcode,
                p.email,
                p.phone,
                join_list(p.categories),
                p.risk,
                len(p.documents),
                join_list(p.documents),
                join_list(p.source_roots),
                DECEASED_YES if p.deceased else "",
            ]
            for p in agg.individuals
        ),
    )
    _replace(tmp, final)
    return final


def _part_batches(part: Path) -> Iterator[dict[str, list[Any]]]:
    """The record batches of one part file, one at a time (memory-mapped, never whole)."""
    with pa.memory_map(str(part)) as source:
        reader = pa.ipc.open_file(source)
        for index in range(reader.num_record_batches):
            yield reader.get_batch(index).to_pydict()


def write_detections(
    agg: Aggregate, roots: Sequence[str], out_dir: Path, parts: Sequence[tuple[int, Path]]
) -> Path:
    """Every detection: where, what category, masked value and keyed hash, never the value.

    Streams the per-task part files in task (path) order, batch by batch, dropping
    documents that turned out to be duplicates and adding each detection's person.
    """
    kept = {(doc.root, doc.path) for doc in agg.docs}
    final = out_dir / DETECTIONS_PARQUET
    tmp = final.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, detection_schema()) as writer:
        for root, part in parts:
            if not part.exists():
                continue
            for data in _part_batches(part):
                keep = [i for i, doc in enumerate(data["doc"]) if (root, doc) in kept]
                if not keep:
                    continue
                docs = [data["doc"][i] for i in keep]
                columns: dict[str, list[Any]] = {
                    "file": docs,
                    "source_root": [roots[root]] * len(docs),
                    "person_id": [
                        agg.record_person.get((d, root, data["record_seq"][i]), "")
                        for d, i in zip(docs, keep, strict=True)
                    ],
                }
                for name in (
                    "location",
                    "page",
                    "sheet",
                    "row",
                    "line",
                    "offset",
                    "category",
                    "masked",
                    "value_hash",
                    "confidence",
                    "detector",
                ):
                    values = data[name]
                    columns[name] = [values[i] for i in keep]
                writer.write_table(pa.table(columns, schema=detection_schema()))
    _replace(tmp, final)
    return final


def write_manifest(agg: Aggregate, roots: Sequence[str], out_dir: Path) -> Path:
    """Every file and container member seen, with its status and the reason if not scanned."""
    rows = agg.manifest
    table = pa.table(
        {
            "path": [m.path for m in rows],
            "source_root": [roots[m.root] for m in rows],
            "container": [m.container for m in rows],
            "sha256": [m.sha256 for m in rows],
            "type": [m.type for m in rows],
            "size": [m.size for m in rows],
            "status": [m.status for m in rows],
            "reason": [m.reason for m in rows],
            "year": [m.year for m in rows],
            "duplicate_of": [m.duplicate_of for m in rows],
        },
        schema=manifest_schema(),
    )
    final = out_dir / MANIFEST_PARQUET
    tmp = final.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    _replace(tmp, final)
    return final


def summary_figures(agg: Aggregate, roots: Sequence[str]) -> dict[str, Any]:
    """The counts summary.json and the report share (everything but timings)."""
    people = agg.individuals
    by_category = Counter(c for p in people for c in p.categories)
    by_root = Counter(r for p in people for r in p.source_roots)
    years: Counter[str] = Counter()
    year_of = {m.path: m.year for m in agg.manifest}
    for p in people:
        for y in {year_of.get(d) for d in p.documents}:
            years[str(y) if y else "unknown"] += 1
    statuses = Counter(m.status for m in agg.manifest)
    categories = sorted(by_category, key=category_order)
    detections: Counter[str] = Counter()
    for doc in agg.docs:
        detections.update(doc.detection_counts)
    return {
        "files_total": len(agg.manifest),
        "bytes_total": sum(m.size for m in agg.manifest if not m.container),
        "files_by_status": {s: statuses.get(s, 0) for s in MANIFEST_STATUSES},
        "files_by_type": dict(sorted(Counter(m.type or "unknown" for m in agg.manifest).items())),
        "individuals": len(people),
        "individuals_by_risk": {r: sum(1 for p in people if p.risk == r) for r in ("high", "medium", "low")},
        "individuals_by_category": {c: by_category.get(c, 0) for c in CATEGORIES},
        "individuals_by_source_root": {r: by_root.get(r, 0) for r in roots},
        "individuals_by_document_year": dict(sorted(years.items())),
        "records": sum(1 for _ in agg.records),
        "detections": sum(detections.values()),
        "detections_by_category": {c: detections.get(c, 0) for c in CATEGORIES},
        "organisation_values_excluded": agg.organisation_values,
        "ico": {
            "approximate_data_subjects": len(people),
            "approximate_personal_data_records": sum(1 for _ in agg.records),
            "categories_of_personal_data": categories,
            "special_category_data": [c for c in categories if c in SPECIAL_CATEGORIES],
            "criminal_offence_data": "criminal_offence" in by_category,
            "high_risk_data_subjects": sum(1 for p in people if p.risk == "high"),
        },
    }


def write_json(data: dict[str, Any], out_dir: Path, name: str = SUMMARY_JSON) -> Path:
    """Pretty, key-sorted JSON (stable for diffs)."""
    final = out_dir / name
    tmp = final.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    _replace(tmp, final)
    return final
