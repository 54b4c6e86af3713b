"""``incidentroom scan PATH [PATH ...] --out DIR [--workers N] [--cluster URL] [--resume]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .errors import ScanError
from .extract import Limits
from .pipeline.engine import ScanProgress, ScanSummary, run_scan


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incidentroom scan",
        description="Find who is in a copied archive and what about them is exposed (reads only).",
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="folder or archive (zip, tar, tar.gz, 7z)"
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="local worker processes (default 1)"
    )
    parser.add_argument("--cluster", metavar="tcp://HOST:8786", help="run on a Dask distributed scheduler")
    parser.add_argument("--resume", action="store_true", help="skip files finished by an interrupted scan")
    parser.add_argument(
        "--split-mb",
        type=float,
        default=Limits().split_bytes / 2**20,
        metavar="MB",
        help="scan a CSV/TSV, MBOX or log larger than this in ranges of about this size, one per worker task "
        "(default %(default)g; 0 never splits)",
    )
    return parser


class _Display:
    """A rich progress bar on a terminal; a plain log line every few seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.bar: Progress | None = None
        self.task_id: TaskID | None = None
        if self.tty:
            self.bar = Progress(
                TextColumn("scanning {task.fields[files]} files"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                transient=False,
            )

    def __call__(self, p: ScanProgress) -> None:
        if self.bar is not None:
            if self.task_id is None:
                self.bar.start()
                self.task_id = self.bar.add_task("scan", total=max(p.bytes_total, 1), files="")
            self.bar.update(self.task_id, completed=p.bytes_done, files=f"{p.files_done}/{p.files_total}")
            return
        now = time.monotonic()
        if now - self.last >= 5 or p.files_done == p.files_total:
            self.last = now
            rate = p.bytes_done / p.elapsed_seconds / 1e6 if p.elapsed_seconds > 0 else 0.0
            left = (p.bytes_total - p.bytes_done) / (rate * 1e6) if rate > 0 else 0.0
            print(
                f"scan: {p.files_done}/{p.files_total} files, {p.bytes_done / 1e6:.1f}/{p.bytes_total / 1e6:.1f} MB, "
                f"{rate:.1f} MB/s, about {left:.0f}s left",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        """Stop the progress bar (if one was started)."""
        if self.bar is not None and self.task_id is not None:
            self.bar.stop()


def _print_summary(summary: ScanSummary) -> None:
    if not summary.complete:
        print(f"Scan stopped. Rerun with --resume to finish: {summary.out_dir}", file=sys.stderr)
        return
    risk = summary.individuals_by_risk
    print(
        f"{summary.individuals} individuals ({risk.get('high', 0)} high, {risk.get('medium', 0)} medium, "
        f"{risk.get('low', 0)} low risk) in {summary.files_total} files; outputs in {summary.out_dir}"
    )
    print(phase_line(summary))


def phase_line(summary: ScanSummary) -> str:
    """Where the time went, e.g. 'time 6.2 s: extract 3.1 s, detect 0.8 s, ...'."""
    spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.phase_seconds.items())
    note = f" (worker phases summed over {summary.workers} workers)" if summary.workers > 1 else ""
    return f"time {summary.duration_seconds:.1f} s: {spent}{note}"


def main(argv: list[str]) -> int:
    """Run the scan command; returns the process exit code (0 ok, 1 error, 130 stopped)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.split_mb < 0:
        parser.error("--split-mb: give a size in MB, or 0 never to split a file")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    # The scanner's own planning and stop/resume messages are for the operator.
    logging.getLogger("incidentroom.scanner").setLevel(logging.INFO)
    stop_requested = False

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        """First Ctrl-C: stop after the files in progress; second: abort."""
        nonlocal stop_requested
        if stop_requested:
            raise KeyboardInterrupt
        stop_requested = True
        print("\nStopping after the files in progress (Ctrl-C again to abort)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    display = _Display()
    try:
        summary = run_scan(
            args.paths,
            args.out,
            workers=args.workers,
            cluster=args.cluster,
            resume=args.resume,
            progress=display,
            should_stop=lambda: stop_requested,
            limits=Limits(split_bytes=int(args.split_mb * 2**20)),
        )
    except ScanError as exc:
        display.close()
        print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        return 1
    finally:
        display.close()
        signal.signal(signal.SIGINT, previous)
    _print_summary(summary)
    return 0 if summary.complete else 130
