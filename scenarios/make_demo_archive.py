"""Write a synthetic 'stolen archive' into the demo's evidence folder (used by ``make run``).

The demo's DPO can then start a breach-impact scan from the page without uploading
anything. The people, numbers and documents are generated (the test suite's generator,
with valid NI, NHS, card and licence numbers); nobody real is in it.

    .venv/bin/python scenarios/make_demo_archive.py var/evidence/rbkc/archive-2006-2020
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repository root, so the test suite's archive generator imports as tests.helpers.scangen.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.scangen import generate_archive  # noqa: E402


def main(argv: list[str]) -> int:
    """Generate the archive unless it is already there (``make run`` is safe to repeat)."""
    if len(argv) != 2:
        print(__doc__)
        return 2
    target = Path(argv[1])
    if target.exists():
        print(f"Demo archive already at {target}; nothing to do.")
        return 0
    target.mkdir(parents=True)
    # Residents of the three boroughs, at their London postcodes (not Faker's whole of Britain).
    truth = generate_archive(target, n_people=200, seed=2025, london=True)
    print(f"Demo archive written to {target}: {len(truth.files)} documents about 200 generated residents.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
