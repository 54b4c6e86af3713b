"""Helpers for scanner tests: scan a folder and read the outputs back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq

from incidentroom import csvfile
from incidentroom.scanner import Limits, run_scan
from incidentroom.scanner.extract import Blob, ExtractError, OwnedText, choose
from incidentroom.scanner.model import RowUnit, TextUnit


@dataclass
class Outputs:
    """The five outputs of one scan, parsed."""

    out: Path
    individuals: list[dict[str, str]]
    detections: list[dict[str, Any]]
    manifest: list[dict[str, Any]]

    def status(self, suffix: str) -> tuple[str, str]:
        """(status, reason) of the one manifest row whose path ends with ``suffix``."""
        rows = [m for m in self.manifest if m["path"].endswith(suffix)]
        assert len(rows) == 1, (suffix, [m["path"] for m in self.manifest])
        return rows[0]["status"], rows[0]["reason"]

    def categories(self) -> set[str]:
        """Every category detected anywhere."""
        return {d["category"] for d in self.detections}

    def names(self) -> set[str]:
        """Full names of the individuals found."""
        return {p["full_name"] for p in self.individuals}


def scan(folder: Path, out: Path, limits: Limits | None = None, **kwargs: Any) -> Outputs:
    """Run a scan of ``folder`` into ``out`` and read the outputs."""
    run_scan([folder], out, limits=limits, **kwargs)
    return read_outputs(out)


def read_outputs(out: Path) -> Outputs:
    """Read individuals.csv and both Parquet files of a finished scan."""
    with csvfile.open_for_reading(out / "individuals.csv") as fh:
        individuals = list(csvfile.read_rows(fh))
    return Outputs(
        out,
        individuals,
        pq.read_table(out / "detections.parquet").to_pylist(),
        pq.read_table(out / "manifest.parquet").to_pylist(),
    )


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def extracted_units(root: Path, limits: Limits | None = None) -> list[TextUnit | RowUnit]:
    """Every text and row unit the extractors produce under ``root`` (containers included)."""
    found: list[TextUnit | RowUnit] = []

    def walk(blob: Blob, depth: int) -> None:
        with blob.open() as fh:
            head = fh.read(65536)
        extractor = choose(blob.extension, head)
        if extractor is None or depth > 6:
            return
        try:
            for item in extractor.extract(blob, limits or Limits()):
                if isinstance(item, TextUnit | RowUnit):
                    found.append(item)
                elif isinstance(item, OwnedText):
                    found.append(item.unit)
                elif isinstance(item, Blob):
                    walk(item, depth + 1)
        except ExtractError:
            return

    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        walk(Blob(path.name, _opener(path), path.stat().st_size), 0)
    return found
