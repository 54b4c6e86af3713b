"""An independent council archive with exact ground truth, written from DESCRIPTION.md only.

Usage (from the repository root): python -m tests.scanner.independent.generate OUT --people 1200 --seed 7
writes OUT/archive/ and OUT/truth.json (the ground truth in the description's shape).

The truth is recorded as each document is written, from what that document states about
each person, so a category is true only where a document says it about that person."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tests.scanner.independent.indep_archive import Archive, TruthEntry


def generate(root: Path, people: int, seed: int) -> dict[str, TruthEntry]:
    """Write an archive naming about `people` people under `root`; return the ground truth."""
    # the eight file kinds, one module so this stays short
    from tests.scanner.independent.indep_kinds import write_all

    root.mkdir(parents=True, exist_ok=True)
    arch = Archive(root, seed)
    write_all(arch, people)
    return arch.truth.entries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("out", type=Path)
    ap.add_argument("--people", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    truth = generate(args.out / "archive", args.people, args.seed)
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(truth)} people -> {args.out / 'archive'}; truth in {args.out / 'truth.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
