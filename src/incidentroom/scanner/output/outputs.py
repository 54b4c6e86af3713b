"""Writers for the five outputs: individuals.csv, detections.parquet, manifest.parquet,
summary.json and report.html. Every file is written to a temporary name and renamed,
so a crash never leaves a half-written output behind."""

from __future__ import annotations

import bisect
import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
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
    # People share their category lists, source roots and often their documents (every
    # person of a register has the same one): each list is joined once, not once a person.
    joined: dict[tuple[str, ...], str] = {}

    def join(values: list[str]) -> str:
        key = tuple(values)
        cell = joined.get(key)
        if cell is None:
            cell = joined[key] = join_list(key)
        return cell

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
                join(p.categories),
                p.risk,
                len(p.documents),
                join(p.documents),
                join(p.source_roots),
                DECEASED_YES if p.deceased else "",
            ]
            for p in agg.individuals
        ),
    )
    _replace(tmp, final)
    return final


# Rows gathered before the coordinator filters and writes them: the per-row work is done by
# Arrow over whole chunks (a Python loop over every detection was the coordinator's largest
# serial step), and the file gets a few large row groups instead of one per input file.
ROW_GROUP = 65_536


class _PartReader:
    """Reads files' rows out of part files, keeping the last part open: consecutive files of
    a scan share their chunk's part file (and mostly its batches), which is then opened once
    and each of its batches read once, however many files' rows it holds."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.source: pa.OSFile | None = None
        self.reader: pa.ipc.RecordBatchFileReader | None = None
        # The first row of every batch read so far, then the row after the last one read: a
        # range is found without reading the batches before it again.
        self.starts: list[int] = [0]
        # The last batch read, by index: the next file's rows usually start in it.
        self.index = -1
        self.batch: pa.RecordBatch | None = None

    def _open(self, path: Path) -> pa.ipc.RecordBatchFileReader:
        if self.reader is None or path != self.path:
            self.close()
            self.source = pa.OSFile(str(path))
            self.reader = pa.ipc.open_file(self.source)
            self.path = path
        return self.reader

    def _get(self, reader: pa.ipc.RecordBatchFileReader, index: int) -> pa.RecordBatch:
        if index != self.index or self.batch is None:
            self.batch, self.index = reader.get_batch(index), index
            if index == len(self.starts) - 1:
                self.starts.append(self.starts[-1] + self.batch.num_rows)
        return self.batch

    def batches(self, part: PartFile) -> Iterator[pa.RecordBatch]:
        """The part's rows for its file, a batch (or a zero-copy slice of one) at a time: never
        the whole file at once, and never a row of another file.

        Read into memory rather than memory-mapped: a row group holds the rows of thousands of
        small files, and each batch would keep its own mapping alive until the group is written.
        """
        reader = self._open(part.path)
        total = reader.num_record_batches
        first = part.first_row
        stop = -1 if part.row_count < 0 else first + part.row_count
        # The batch holding ``first``: among those read already, else the next ones in turn.
        index = bisect.bisect_right(self.starts, first) - 1
        while index < total and first != stop:
            batch = self._get(reader, index)
            start = self.starts[index]
            end = start + batch.num_rows
            if first < end:
                upto = end if stop < 0 else min(end, stop)
                yield batch if (first, upto) == (start, end) else batch.slice(first - start, upto - first)
                first = upto
            index += 1
        if stop >= 0 and first != stop:
            raise ValueError(f"{part.path} has no rows {first} to {stop}: the part file is short")

    def close(self) -> None:
        """Close the open part file, if any."""
        if self.source is not None:
            self.source.close()
        self.source = self.reader = self.path = self.batch = None
        self.starts, self.index = [0], -1


class _Persons:
    """Per source root: the documents kept after de-duplication, and each record's person.

    A detection's record is looked up by the key 'seq NUL document', built by Arrow for a
    whole chunk at once; a detection of no record (seq -1) or of a record that is no
    person's finds no key and gets an empty person id.
    """

    def __init__(self, agg: Aggregate) -> None:
        kept: dict[int, list[str]] = {}
        for doc in agg.docs:
            kept.setdefault(doc.root, []).append(doc.path)
        self.kept = {root: pa.array(paths, pa.string()) for root, paths in kept.items()}
        keys: dict[int, tuple[list[str], list[str]]] = {}
        for (path, root, seq), person in agg.record_person.items():
            key_list, person_list = keys.setdefault(root, ([], []))
            key_list.append(f"{seq}\0{path}")
            person_list.append(person)
        self.keys = {
            root: (pa.array(k, pa.string()), pa.array(p, pa.string())) for root, (k, p) in keys.items()
        }

    def table(self, root: int, root_name: str, batches: list[pa.RecordBatch]) -> pa.Table | None:
        """The output rows of ``batches`` (all of one root), or ``None`` if none is kept."""
        kept = self.kept.get(root)
        if kept is None:
            return None
        # One contiguous copy: the batches are slices of thousands of small files, and Arrow
        # compute and the Parquet writer both slow down chunk by chunk on that many pieces.
        data = pa.Table.from_batches(batches).combine_chunks()
        data = data.filter(pc.is_in(data["doc"], value_set=kept))
        rows = data.num_rows
        if rows == 0:
            return None
        if root in self.keys:
            keys, persons = self.keys[root]
            record = pc.binary_join_element_wise(pc.cast(data["record_seq"], pa.string()), data["doc"], "\0")
            person = pc.fill_null(pc.take(persons, pc.index_in(record, value_set=keys)), "")
        else:
            person = pa.array([""] * rows, pa.string())
        columns = {
            "file": data["doc"],
            "source_root": pa.array([root_name] * rows, pa.string()),
            "person_id": person,
        }
        schema = detection_schema()
        return pa.Table.from_arrays(
            [columns[name] if name in columns else data[name] for name in schema.names], schema=schema
        )


class PartFile(NamedTuple):
    """One file's detections in a worker's part file, and the fix-up its rows need on the way out.

    A chunk's part file holds several files' detections, in batches they share: this file's
    are ``row_count`` rows from row ``first_row`` of the part (-1: every row from there on).
    A range of a split CSV (``pipeline/split.py``) numbered its rows from its own start and
    its records from its own first: ``row_offset`` is added to each row (and its
    location), and ``seq_map`` maps each local record number to the file's. A range of a
    split mbox also holds its attachments' detections: ``seq_doc`` names the one document
    ``seq_map`` is for ('': every row).
    """

    root: int
    path: Path
    row_offset: int = 0
    seq_map: list[int] | None = None
    first_row: int = 0
    row_count: int = -1
    seq_doc: str = ""

    def fixed(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with this part's fix-up applied (by Arrow, over the whole batch)."""
        if not self.row_offset and self.seq_map is None:
            return batch
        columns = dict(zip(batch.schema.names, batch.columns, strict=True))
        if self.row_offset:
            row = pc.add(columns["row"], self.row_offset)
            columns["row"] = row
            columns["location"] = pc.binary_join_element_wise("row=", pc.cast(row, pa.string()), "")
        if self.seq_map:
            seq = columns["record_seq"]
            keep = pc.less(seq, 0)  # no record, or (with seq_doc) another document's
            if self.seq_doc:
                keep = pc.or_(keep, pc.not_equal(columns["doc"], self.seq_doc))
            mapped = pc.take(pa.array(self.seq_map, pa.int64()), pc.if_else(keep, 0, seq))
            columns["record_seq"] = pc.if_else(keep, seq, mapped)
        return pa.RecordBatch.from_arrays([columns[name] for name in batch.schema.names], schema=batch.schema)


def write_detections(agg: Aggregate, roots: Sequence[str], out_dir: Path, parts: Sequence[PartFile]) -> Path:
    """Every detection: where, what category, masked value and keyed hash, never the value.

    Streams each file's rows from the part files in file (path) order, in row groups of
    about :data:`ROW_GROUP` rows, dropping documents that turned out to be duplicates and
    adding each detection's person.
    """
    persons = _Persons(agg)
    final = out_dir / DETECTIONS_PARQUET
    tmp = final.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, detection_schema()) as writer:
        pending: list[pa.RecordBatch] = []
        pending_root, pending_rows = -1, 0

        def flush() -> None:
            table = persons.table(pending_root, roots[pending_root], pending) if pending else None
            if table is not None:
                writer.write_table(table, row_group_size=ROW_GROUP)
            pending.clear()

        reader = _PartReader()
        try:
            for part in parts:
                if not part.path.exists():
                    continue
                for batch in reader.batches(part):
                    if part.root != pending_root or pending_rows >= ROW_GROUP:
                        flush()
                        pending_root, pending_rows = part.root, 0
                    pending.append(part.fixed(batch))
                    pending_rows += batch.num_rows
            flush()
        finally:
            reader.close()
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
