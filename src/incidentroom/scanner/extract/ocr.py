"""Running Tesseract, the OCR program scanned images and image-only PDF pages go through.

Tesseract is a separate program (Apache-2.0), installed by ``make install`` from Debian's
``tesseract-ocr`` and ``tesseract-ocr-eng``; without it callers report the page as
needing OCR.

Each call runs with one OpenMP thread (``OMP_THREAD_LIMIT=1``) unless the environment
already sets a limit. By default Tesseract starts a thread per core for every image; a
scan runs one Tesseract per worker, so on N cores N workers started N x N threads that
fought over the cores (Tesseract's tracker, tesseract-ocr/tesseract#3109 and #898: parallel
runs without the limit are many times slower than with it). On this project's 2-core machine (1 December 2026, shared with other work), eight
scanned forms of the independent archive, one after another, took 3.4 CPU seconds and 9 s
with the limit against 8.3 CPU seconds and 22 s without it (``/usr/bin/time`` over a loop of
``tesseract IMAGE stdout -l eng``, each way twice).
"""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404 - runs the local tesseract binary, no shell
from pathlib import Path


def available() -> bool:
    """True when the tesseract binary is on PATH (it is optional)."""
    return shutil.which("tesseract") is not None


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def tesseract(path: Path, timeout: float) -> str | None:
    """Tesseract's English text of the image at ``path``, or ``None`` if it is missing or fails."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - the local tesseract binary, no shell
            [program, str(path), "stdout", "-l", "eng"],
            capture_output=True,
            timeout=timeout,
            check=False,
            env=_environment(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")
