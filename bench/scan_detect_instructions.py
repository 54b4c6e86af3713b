"""Detection cost in instructions (valgrind callgrind): the same contenders as scan_detect.py, steadier.

Usage:
    .venv/bin/python bench/scan_detect_instructions.py [--people 600] [--dilute 1] [--pieces N]
    .venv/bin/python bench/scan_detect_instructions.py --tree before=/path/to/old/checkout --tree after=. \
        [--pieces 8] [--modes cold,warm] [--keep DIR]

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

``--tree LABEL=PATH`` (repeatable) counts the scanner's own passes (``--modes``, cold by
default) in each checkout's code instead (``PATH/src`` first on ``PYTHONPATH``, its compiled
core built in place), on the same pieces, and prints each tree against the first: how a
change is held to a budget such as issue 12's "not slower by more than 5 %" without the
machine's load in the figure. The first pass of a process is printed too (the one-pass
child less start-up, which a zero-pass child counts): it includes loading or compiling
whatever the tree builds on first use. ``--pieces N`` takes only the first N 64 KB pieces
(callgrind runs the interpreter some 50 times slower). ``--keep DIR`` keeps each child's
callgrind output there (``callgrind_annotate DIR/LABEL-cold-3.out``) to see where a pass goes.
``--collect-first`` runs a full ``gc.collect()`` after loading: the generation counts that
start-up leaves decide whether a generation-1 collection, which then still holds start-up's
objects, falls into the measured passes of one tree and not another's (about 0.5 M a pass
on the first 8 pieces); a steady state has none of those.
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
from scan_trees import tree_arg

# The module moved when the scanner was grouped by stage (after 1c2a1d0); either home works.
CHILD = """
import gc, pickle, sys
try:
    from incidentroom.scanner.detect.matcher import detect, engine, raw_matches, reset_caches
except ImportError:
    from incidentroom.scanner.detect import detect, engine, raw_matches, reset_caches
from incidentroom.scanner.model import Location
pieces = pickle.load(open(sys.argv[1], "rb"))
mode, passes = sys.argv[2], int(sys.argv[3])
core = engine()
location = Location()
if sys.argv[4] == "1":
    gc.collect()
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

LABELS = {
    "binding": "bare pass, binding",
    "native": "bare pass, native",
    "cold": "scanner detect() cold",
    "warm": "scanner detect() warm",
}


def instructions(
    pieces_file: Path,
    mode: str,
    passes: int,
    tree: Path | None = None,
    keep: Path | None = None,
    collect_first: bool = False,
) -> int:
    """Instructions executed by the child (callgrind's 'Collected' total)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")
    out = "/dev/null" if keep is None else str(keep)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", CHILD]
        + [str(pieces_file), mode, str(passes), "1" if collect_first else "0"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tree,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if not found:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def compare_trees(
    trees: list[tuple[str, Path]], pieces_file: Path, modes: list[str], keep: Path | None, collect_first: bool
) -> None:
    """Per tree and mode: the first pass of a process and each later pass, and the ratios."""
    figures: dict[tuple[str, str], tuple[float, float]] = {}
    for label, tree in trees:
        # Warm the tree's database caches (patterns, and contexts where the tree caches them)
        # for valgrind's (different) CPU features first: a pass compiles whatever it uses.
        instructions(pieces_file, "cold", 1, tree)
        start = instructions(pieces_file, "cold", 0, tree, collect_first=collect_first)
        for mode in modes:
            one, three = (
                instructions(
                    pieces_file,
                    mode,
                    n,
                    tree,
                    None if keep is None else keep / f"{label}-{mode}-{n}.out",
                    collect_first,
                )
                for n in (1, 3)
            )
            figures[label, mode] = (one - start, (three - one) / 2)
            print(
                f"{label:12s} {mode:4s}  first pass {(one - start) / 1e6:8.1f} M   "
                f"per later pass {(three - one) / 2e6:8.1f} M",
                flush=True,
            )
    first = trees[0][0]
    for label, _ in trees[1:]:
        for mode in modes:
            print(
                f"{label} / {first} {mode}: per later pass "
                f"{figures[label, mode][1] / figures[first, mode][1]:.3f}x, "
                f"first pass {figures[label, mode][0] / figures[first, mode][0]:.3f}x"
            )


def main() -> None:
    """Print instructions per pass for each contender and the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--dilute", type=int, default=1)
    parser.add_argument("--pieces", type=int, default=0, help="only the first N pieces (0: all)")
    parser.add_argument("--tree", type=tree_arg, action="append", default=[])
    parser.add_argument("--modes", default="cold", help="with --tree: comma-separated, of cold,warm")
    parser.add_argument("--keep", type=Path, help="with --tree: keep the callgrind outputs in this folder")
    parser.add_argument(
        "--collect-first", action="store_true", help="with --tree: a full gc.collect() before the passes"
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    modes = args.modes.split(",")
    if args.tree and not set(modes) <= {"cold", "warm"}:
        parser.error("--modes takes cold and/or warm")
    root, _ = archive(args.people)
    texts = extracted_texts(root)
    if args.dilute > 1:
        from scan_detect import dilute

        texts = dilute(texts, args.dilute)
    pieces = chunks(texts)
    if args.pieces:
        pieces = pieces[: args.pieces]
    mb = sum(len(p) for p in pieces) / 1e6
    print(f"corpus: {mb:.2f} MB, {len(pieces)} pieces, dilution x{args.dilute}; instructions per pass")
    with tempfile.TemporaryDirectory() as tmp:
        pieces_file = Path(tmp) / "pieces.pkl"
        pieces_file.write_bytes(pickle.dumps(pieces))
        if args.tree:
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
            compare_trees(args.tree, pieces_file, modes, args.keep, args.collect_first)
            return
        # Warm the compiled-pattern cache for valgrind's (different) CPU features first.
        instructions(pieces_file, "native", 0)
        per_pass = {}
        for mode in ("binding", "native", "cold", "warm"):
            one, three = (instructions(pieces_file, mode, n) for n in (1, 3))
            per_pass[mode] = (three - one) / 2
    for mode, label in LABELS.items():
        print(f"{label:22s}: {per_pass[mode] / 1e6:9.1f} M  ({per_pass[mode] / (mb * 1e6):7.1f} per byte)")
    for mode in ("cold", "warm"):
        print(
            f"{mode} / binding bare   : {per_pass[mode] / per_pass['binding']:5.2f}x   "
            f"{mode} / native bare: {per_pass[mode] / per_pass['native']:5.2f}x"
        )


if __name__ == "__main__":
    main()
