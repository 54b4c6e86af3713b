"""Detections spill to an Arrow part file per chunk of top-level inputs as they are found.

A 2 GB CSV yields millions of detections; holding them until the file is done would
tie memory to file size. A worker appends them in batches of :data:`BATCH` rows to the
part file of the chunk it is scanning (written under a temporary name and renamed when the
chunk is finished, so a killed scan never leaves a half-written part that ``--resume``
would trust). The files of a chunk share its batches: most are letters with a handful of
detections, and a batch of its own for each cost more in Arrow conversions (and in reading
them back) than the rows did. :meth:`DetectionSink.mark` gives each file its range of rows
in the part file, so the outputs read every file's detections back in path order whichever
chunk holds them, slicing the batches a range spans (one batch can hold the end of one
file and the start of the next; one file's rows can span many batches).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

from ..model import DetectionRow

BATCH = 20_000
PART_SCHEMA = pa.schema(
    [
        ("doc", pa.string()), ("record_seq", pa.int64()), ("category", pa.string()), ("detector", pa.string()),
        ("masked", pa.string()), ("value_hash", pa.string()), ("confidence", pa.float32()), ("location", pa.string()),
        ("page", pa.int32()), ("sheet", pa.string()), ("row", pa.int64()), ("line", pa.int64()), ("offset", pa.int64()),
    ]
)  # fmt: skip


class DetectionSink:
    """Buffers detection rows and appends them to a part file in batches of :data:`BATCH` rows."""

    def __init__(self, path: Path | None) -> None:
        """``path`` is the final part file; ``None`` keeps nothing (tests, fuzzing)."""
        self.path = path
        self.tmp = path.with_suffix(".arrow.tmp") if path is not None else None
        # The rows as they came, and whose they are as runs of (doc, record_seq, how many
        # rows): a record's rows share both, so each row is kept without building a wider
        # tuple for it, and the two columns are spelled out once per batch.
        self.rows: list[DetectionRow] = []
        self.owners: list[tuple[str, int, int]] = []
        # Arrow IPC rather than Parquet: most inputs are small files, and a Parquet
        # writer costs about a millisecond to open, more than scanning a letter.
        self.writer: pa.ipc.RecordBatchFileWriter | None = None
        self.count = 0  # rows added so far: the next row's number in the part file
        self.marked = 0  # the first row of the file being scanned

    def add(self, doc: str, record_seq: int, row: DetectionRow) -> None:
        """Queue one detection of ``doc`` (``record_seq`` is -1 when it belongs to no person)."""
        self.extend(doc, record_seq, [row])

    def extend(self, doc: str, record_seq: int, rows: list[DetectionRow]) -> None:
        """Queue detections of ``doc`` that share one ``record_seq`` (a record's, or -1)."""
        if not rows:
            return
        self.rows += rows
        owners = self.owners
        if owners and owners[-1][0] == doc and owners[-1][1] == record_seq:
            owners[-1] = (doc, record_seq, owners[-1][2] + len(rows))
        else:
            owners.append((doc, record_seq, len(rows)))
        self.count += len(rows)
        if len(self.rows) >= BATCH:
            self._flush()

    def _flush(self, everything: bool = False) -> None:
        """Write every full batch of :data:`BATCH` rows (and the rest too when ``everything``)."""
        while len(self.rows) >= BATCH or (everything and self.rows):
            self._write(min(BATCH, len(self.rows)))

    def _write(self, size: int) -> None:
        """Write the first ``size`` buffered rows as one batch (or drop them with no file)."""
        rows, self.rows = self.rows[:size], self.rows[size:]
        docs: list[str] = []
        seqs: list[int] = []
        owners, used, left = self.owners, 0, size
        while left:
            doc, seq, count = owners[used]
            take = min(count, left)
            docs += [doc] * take
            seqs += [seq] * take
            left -= take
            if take < count:
                owners[used] = (doc, seq, count - take)  # the rest of the run opens the next batch
            else:
                used += 1
        del owners[:used]
        if self.tmp is None:
            return
        if self.writer is None:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pa.ipc.new_file(str(self.tmp), PART_SCHEMA)
        columns = [
            pa.array(column, type=field.type)
            for column, field in zip((docs, seqs, *zip(*rows, strict=True)), PART_SCHEMA, strict=True)
        ]
        self.writer.write_batch(pa.record_batch(columns, schema=PART_SCHEMA))

    def mark(self) -> tuple[int, int]:
        """End one file's detections: (its first row, how many rows) in this part file.

        Nothing is written here: the rows stay buffered, and the next file's join them in
        the same batch."""
        first, self.marked = self.marked, self.count
        return first, self.count - first

    def close(self) -> None:
        """Write what is left and publish the part file (none if there were no detections)."""
        self._flush(everything=True)
        if self.writer is not None and self.tmp is not None and self.path is not None:
            self.writer.close()
            os.replace(self.tmp, self.path)
