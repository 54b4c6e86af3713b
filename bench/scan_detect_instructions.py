"""Detection cost in instructions (valgrind callgrind): the same contenders as scan_detect.py, steadier.

Usage: .venv/bin/python bench/scan_detect_instructions.py [--people 600] [--dilute 1]

Wall-clock ratios on a shared 2-core VM move by 10-20 % from run to run; instruction counts
do not depend on the machine's load. Each contender runs in a child under callgrind once
with one pass over the text and once with three; half the difference is the cost of one
pass, with start-up and loading subtracted. The children run with a fixed hash seed and
OpenBLAS limited to the calling thread: numpy (imported through pyarrow) otherwise starts
a BLAS thread that spins for a while after start-up, and valgrind counted a varying share
of that spin (totals moved by up to 8 % from run to run; with both fixed, two runs agreed
to 0.1 M instructions). Instructions are not time (hyperscan's SIMD retires more per cycle
than the interpreter), so read these beside the timed figures, not instead of them.
Needs Debian's valgrind.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scan_common import archive, chunks, extracted_texts

CHILD = """
import pickle, sys
from incidentroom.scanner.detect.matcher import detect, engine, raw_matches, reset_caches
from incidentroom.scanner.model import Location
pieces = pickle.load(open(sys.argv[1], "rb"))
mode, passes = sys.argv[2], int(sys.argv[3])
core = engine()
location = Location()
for _ in range(passes):
    if mode == "binding":
        for p in pieces: raw_matches(p)
    elif mode == "native":
        for p in pieces: core.bare(p)
    else:
        if mode == "cold":
            reset_caches()
        for p in pieces: detect(p, location)
"""


def instructions(pieces_file: Path, mode: str, passes: int) -> int:
    """Instructions executed by the child (callgrind's 'Collected' total)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", CHILD]
        + [str(pieces_file), mode, str(passes)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if not found:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    """Print instructions per pass for each contender and the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--dilute", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    root, _ = archive(args.people)
    texts = extracted_texts(root)
    if args.dilute > 1:
        from scan_detect import dilute

        texts = dilute(texts, args.dilute)
    pieces = chunks(texts)
    with tempfile.TemporaryDirectory() as tmp:
        pieces_file = Path(tmp) / "pieces.pkl"
        pieces_file.write_bytes(pickle.dumps(pieces))
        # Warm the compiled-pattern cache for valgrind's (different) CPU features first.
        instructions(pieces_file, "native", 0)
        per_pass = {}
        for mode in ("binding", "native", "cold", "warm"):
            one, three = (instructions(pieces_file, mode, n) for n in (1, 3))
            per_pass[mode] = (three - one) / 2
    mb = sum(len(p) for p in pieces) / 1e6
    print(f"corpus: {mb:.2f} MB, {len(pieces)} pieces, dilution x{args.dilute}; instructions per pass")
    for mode, label in (
        ("binding", "bare pass, binding"),
        ("native", "bare pass, native"),
        ("cold", "scanner detect() cold"),
        ("warm", "scanner detect() warm"),
    ):
        print(f"{label:22s}: {per_pass[mode] / 1e6:9.1f} M  ({per_pass[mode] / (mb * 1e6):7.1f} per byte)")
    for mode in ("cold", "warm"):
        print(
            f"{mode} / binding bare   : {per_pass[mode] / per_pass['binding']:5.2f}x   "
            f"{mode} / native bare: {per_pass[mode] / per_pass['native']:5.2f}x"
        )


if __name__ == "__main__":
    main()
