"""Each extractor's throughput next to a named baseline, measured in the same run.

Usage: .venv/bin/python bench/extract_formats.py [--people 1500] [--repeats 5]

On the generated mixed archive (bench/out, made by scan_common.archive):
  - EML: the scanner's extractor (policy.compat32, the headers it reads decoded explicitly)
    against the same extractor as it was with policy.default (tests/helpers/baseline_extractors.py);
  - DOCX: the scanner's extractor (zipfile + lxml over every text part) against python-docx
    reading the body and tables only (less text, so the baseline is flattered);
  - every other format the archive holds, the scanner's extractor alone.
Each figure is the median of ``--repeats`` passes over all files of the format, as wall time
and as CPU time of this process (the CPU figure is steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

# scan_common puts the repository root on sys.path, so it comes before tests.helpers.
from scan_common import archive  # isort: skip

from incidentroom.scanner.extract import Blob, ExtractError, Limits, choose

from tests.helpers.baseline_extractors import docx_text, eml_outputs  # isort: skip


def measure(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``repeats`` calls after one warm-up call."""
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def ours(name: str, files: list[tuple[str, bytes]]) -> Callable[[], object]:
    """One pass of the scanner's extractor over ``files`` (nested files are not followed)."""
    limits = Limits()

    def run() -> int:
        count = 0
        for path, data in files:
            extractor = choose(path.rsplit(".", 1)[-1].lower(), data[:65536])
            assert extractor is not None and extractor.name == name
            blob = Blob(path, _reader(data), len(data))
            try:
                count += sum(1 for _ in extractor.extract(blob, limits))
            except ExtractError:
                pass
        return count

    return run


def _reader(data: bytes) -> Callable[[], object]:
    import io

    return lambda: io.BytesIO(data)


def main() -> None:
    """Print MB/s and files/s per format, with the baseline and the speed-up where there is one."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    root, _ = archive(args.people)
    by_format: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        extractor = choose(path.suffix.lstrip(".").lower(), data[:65536])
        if extractor is not None and not extractor.container:
            by_format[extractor.name].append((path.name, data))
    baselines: dict[str, tuple[str, Callable[[list[tuple[str, bytes]]], Callable[[], object]]]] = {
        "eml": (
            "policy.default",
            lambda files: lambda: [eml_outputs(data, path) for path, data in files],
        ),
        "docx": ("python-docx", lambda files: lambda: [docx_text(data) for _, data in files]),
    }
    print(f"archive: {root} (median of {args.repeats} passes; wall / CPU seconds)")
    for name in sorted(by_format, key=lambda n: (n not in baselines, n)):
        files = by_format[name]
        size = sum(len(d) for _, d in files) / 1e6
        wall, cpu = measure(ours(name, files), args.repeats)
        line = (
            f"{name:12s} {len(files):4d} files {size:6.2f} MB: ours {size / cpu:7.2f} MB/s "
            f"{len(files) / cpu:8.1f} files/s (CPU {cpu:.3f} s, wall {wall:.3f} s)"
        )
        if name in baselines:
            label, make = baselines[name]
            base_wall, base_cpu = measure(make(files), args.repeats)
            line += (
                f" | {label} {size / base_cpu:6.2f} MB/s (CPU {base_cpu:.3f} s, wall {base_wall:.3f} s)"
                f" | speed-up {base_cpu / cpu:.2f}x CPU, {base_wall / wall:.2f}x wall"
            )
        print(line)


if __name__ == "__main__":
    main()
