"""Art 34 letter batches: time and peak memory as the batch grows.

Usage: .venv/bin/python bench/letters.py [--sizes 250,500,1000]

Builds a throwaway SQLite database (migrations + the West London scenario) with the largest
batch's people, names in mixed scripts, then renders each size in a fresh child process:

- streamed: ``letters.write_batch`` as the worker runs it (parts of LETTERS_PER_PART letters,
  each letter's file cut from its part, the print file joined by qpdf in its own process);
- baseline, all in memory, the old shape with the old renderer: every letter built first,
  each rendered with ReportLab (bench/baseline_reportlab.py, the code this replaced), then
  the whole print file as one ReportLab story.

It prints seconds, letters per second and the child's peak RSS. qpdf joins the print file
in a process of its own; its memory is not in the figure (and the worker's does not hold it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = [
    "Łukasz Wiśniewski",
    "Nguyễn Thị Hương",
    "محمد علي",
    "Ιωάννης Παπαδόπουλος",
    "Oğuz Yılmaz",
    "Zoë Brontë-Hughes",
    "Olivia Smith",
    "Harry Patel",
]

SETUP = """
import datetime as dt, sys
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
call_command("load_scenario", sys.argv[1], verbosity=0)
from django.contrib.auth import get_user_model
from incidentroom.breach import actions
from incidentroom.breach.models import Individual, ScanJob
from incidentroom.core.models import Organisation
from incidentroom.incidents.models import Incident
names = sys.argv[3].split("|")
rbkc = Organisation.objects.get(code="RBKC")
dpo = get_user_model().objects.get(username="rbkc.dpo")
breach = actions.record_breach(Incident.objects.get(origin=rbkc), actor=dpo, organisation=rbkc,
    description="Attackers copied the document archive from the shared data centre.",
    became_aware_at=timezone.now() - dt.timedelta(hours=2), data_sets="Document archive 2006-2020",
    measures_taken="Network isolated; passwords reset.")
# Letters carry the DPO's resident wording (a realistic length), not the assessment.
breach = actions.save_wording(breach, actor=dpo,
    resident_what_happened="On 24 November we found that criminals had copied some information from our computer "
    "systems during a cyber attack. We are writing to tell you what information about you was involved.",
    resident_what_we_are_doing="We have secured our systems and reported the attack to the police.")
scan = ScanJob.objects.create(breach=breach, status="done")
people = [Individual(scan=scan, breach=breach, person_id=f"B{n:06d}", full_name=f"{names[n % len(names)]} {n}",
          address=f"{n} Abbey Road, London", postcode=f"W{n % 14 + 1} {n % 9}AA", categories=["name", "bank_account"],
          category_index=";name;bank_account;", risk="high") for n in range(int(sys.argv[2]))]
Individual.objects.bulk_create(people, batch_size=1000)
print(breach.pk)
"""

CHILD = """
import json, resource, sys, time
from pathlib import Path
import django
django.setup()
import logging
logging.disable(logging.WARNING)
from incidentroom.breach import letters
from incidentroom.breach.models import Breach, Individual
mode, breach_id, size, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
breach = Breach.objects.select_related("organisation", "incident").get(pk=breach_id)
pks = list(Individual.objects.filter(breach=breach).order_by("pk").values_list("pk", flat=True)[:size])
people = Individual.objects.filter(pk__in=pks)
start = time.perf_counter()
if mode == "streamed":
    count = letters.write_batch(breach, people, out)
else:
    sys.path.insert(0, sys.argv[5])
    from baseline_reportlab import render_pdf, render_pdf_many
    docs = []
    (out / "letters").mkdir(parents=True)
    for person in letters.sort_for_post(people):
        doc = letters.build_letter(breach, person)
        (out / "letters" / letters.letter_filename(breach, person)).write_bytes(render_pdf(doc))
        docs.append(doc)
    (out / "print-file.pdf").write_bytes(render_pdf_many(docs, title="Art 34 letters"))
    count = len(docs)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "letters": count,
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "print_file_mib": (out / "print-file.pdf").stat().st_size / 2**20}))
"""


def run(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"child failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="250,500,1000", help="batch sizes, comma separated")
    parser.add_argument("--no-baseline", action="store_true", help="only the streamed path")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-letters-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "incidentroom.settings",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        }
        breach_id = run(
            SETUP, str(ROOT / "scenarios" / "west_london.yaml"), str(max(sizes)), "|".join(NAMES), env=env
        )
        print(
            f"{'letters':>8} {'path':<34} {'seconds':>8} {'letters/s':>9} {'peak RSS':>9} {'print file':>10}"
        )
        for size in sizes:
            modes = ["streamed"] if args.no_baseline else ["streamed", "baseline"]
            for mode in modes:
                out = Path(tmp) / f"{mode}-{size}"
                out.mkdir()
                result = json.loads(
                    run(CHILD, mode, breach_id, str(size), str(out), str(ROOT / "bench"), env=env)
                )
                label = (
                    "streamed: WeasyPrint, parts"
                    if mode == "streamed"
                    else "baseline: ReportLab, all in memory"
                )
                print(
                    f"{result['letters']:>8} {label:<34} {result['seconds']:>8.1f} "
                    f"{result['letters'] / result['seconds']:>9.1f} {result['rss_mib']:>5.0f} MiB "
                    f"{result['print_file_mib']:>6.1f} MiB",
                    flush=True,
                )
                subprocess.run(["rm", "-rf", str(out)], check=True)  # noqa: S603, S607


if __name__ == "__main__":
    main()
