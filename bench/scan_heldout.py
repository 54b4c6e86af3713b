"""The held-out check (issue 14 §6): a whole scan with 2 workers against Presidio's detection alone.

Usage: .venv/bin/python bench/scan_heldout.py [--people 8000] [--seed 23] [--workers 2]
           [--rounds 1] [--presidio-python PATH] [--archive independent|mixed]

The archive comes from the independent generator (``tests/scanner/independent``, written by
an engineer who had not read the scanner, from ``DESCRIPTION.md``), generated once under
``bench/out``. In one run, each in a fresh process:

* *extract*: every file's text, as the scanner's extractors give it, written to a file for
  Presidio (its time is printed, and not charged to Presidio);
* *Presidio*: ``AnalyzerEngine.analyze`` over every extracted text, configured as in
  ``bench/scan_detect.py`` (regex recognisers, the UK ones, phones for GB, no NLP model),
  timed from its first text to its last (building the engine is not counted);
* *scan*: ``run_scan`` with ``--workers``, from reading the files to writing the outputs.

``--archive mixed`` runs the same three on this project's generated mixed archive
(``scan_common.archive``) instead. The independent archive is image-heavy (most of its time
is Tesseract, which Presidio is never charged for); the mixed one is mostly text in DOCX, PDF,
email and spreadsheets, closer to the issue's own held-out archive (31 MB, "mostly DOCX, PDF
and email"), so the two bracket it.

It prints wall and CPU seconds of each and the ratio the issue sets (Presidio's wall time
over the scan's, target at least 5). Presidio is in the ``bench`` extra
(``.venv/bin/pip install -e '.[bench]'``); ``--presidio-python`` runs it under another
interpreter that can import both it and this project.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from scan_common import OUT, ROOT, archive

BENCH = str(Path(__file__).resolve().parent)

EXTRACT = """
import json, resource, sys, time
sys.path.insert(0, {bench!r})
from pathlib import Path
from scan_common import extracted_texts
start = time.perf_counter()
texts = extracted_texts(Path(sys.argv[1]))
wall = time.perf_counter() - start
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    for text in texts:
        fh.write(json.dumps(text) + "\\n")
# Tesseract runs as a child process: its CPU counts, as it does for the scan.
cpu = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
          for f in ("ru_utime", "ru_stime"))
print(json.dumps({{"wall": wall, "cpu": cpu, "texts": len(texts),
                  "mb": sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6}}))
"""

PRESIDIO = """
import json, sys, time
sys.path.insert(0, {bench!r})
from scan_detect import presidio_analyzer
texts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
analyzer, _ = presidio_analyzer()
cpu, start = time.process_time(), time.perf_counter()
found = sum(len(analyzer.analyze(text=t, language="en")) for t in texts)
print(json.dumps({{"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "found": found}}))
"""

SCAN = """
import json, resource, sys, time
from pathlib import Path
from incidentroom.scanner import run_scan
start = time.perf_counter()
summary = run_scan([Path(sys.argv[1])], Path(sys.argv[2]), workers=int(sys.argv[3]))
wall = time.perf_counter() - start
cpu = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
          for f in ("ru_utime", "ru_stime"))
print(json.dumps({{"wall": wall, "cpu": cpu, "people": summary.individuals, "files": summary.files_total,
                  "mb": summary.bytes_total / 1e6}}))
"""


def child(python: str, code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter and return the JSON it prints last."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [python, "-c", code.format(bench=BENCH), *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def independent_archive(people: int, seed: int) -> Path:
    """The independent generator's archive of ``people`` and ``seed``, made once."""
    root = OUT / f"independent-{people}-{seed}"
    if not (root / "done").exists():
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run(  # noqa: S603 - our own generator
            [
                sys.executable,
                "-m",
                "tests.scanner.independent.generate",
                str(root),
                "--people",
                str(people),
                "--seed",
                str(seed),
            ],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        (root / "done").write_text("ok", encoding="utf-8")
    return root / "archive"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=None, help="default 23 (independent), 2025 (mixed)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--presidio-python", default=sys.executable)
    parser.add_argument("--archive", choices=("independent", "mixed"), default="independent")
    args = parser.parse_args()
    if args.people < 1 or args.workers < 1 or args.rounds < 1:
        parser.error("--people, --workers and --rounds must be at least 1")
    if args.seed is None:
        args.seed = 2025 if args.archive == "mixed" else 23
    if args.archive == "mixed":
        root, _ = archive(args.people, args.seed)
        texts = root.parent / "texts.jsonl"
    else:
        root = independent_archive(args.people, args.seed)
        texts = OUT / f"independent-{args.people}-{args.seed}" / "texts.jsonl"
    for round_no in range(1, args.rounds + 1):
        extract = child(sys.executable, EXTRACT, str(root), str(texts))
        presidio = child(args.presidio_python, PRESIDIO, str(texts))
        scan = child(sys.executable, SCAN, str(root), str(OUT / "heldout-scan"), str(args.workers))
        print(
            f"round {round_no}: {args.archive} archive, {args.people} people (seed {args.seed}): "
            f"{scan['files']:.0f} files, {scan['mb']:.1f} MB; {extract['mb']:.1f} MB of text in {extract['texts']:.0f} units"
        )
        print(
            f"  extract only       : {extract['wall']:7.2f} s wall {extract['cpu']:7.2f} s CPU (not charged to Presidio)"
        )
        print(
            f"  Presidio detection : {presidio['wall']:7.2f} s wall {presidio['cpu']:7.2f} s CPU, {presidio['found']:.0f} findings"
        )
        print(
            f"  scan, {args.workers} worker(s)   : {scan['wall']:7.2f} s wall {scan['cpu']:7.2f} s CPU, {scan['people']:.0f} individuals"
        )
        print(
            f"  Presidio / scan    : {presidio['wall'] / scan['wall']:.2f}x wall, {presidio['cpu'] / scan['cpu']:.2f}x CPU (target: scan at least 5x faster)"
        )


if __name__ == "__main__":
    main()
