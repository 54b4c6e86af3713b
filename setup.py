"""Builds the scanner's compiled detection core; everything else is in pyproject.toml.

The core links Debian's libhs (package libhyperscan-dev, installed by ``make install``)
so that hyperscan calls a C callback instead of a Python one per match. Without the
headers the core is left out and detection runs in pure Python, several times slower,
with a warning at run time (and a failing test, so CI cannot miss it).

Cython rather than hand-written C: the core calls back into the detectors' Python
expressions and parsers, which Cython makes a one-line call, and it stays readable
beside the Python reference it must agree with.
"""

import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

HS_HEADER = "/usr/include/hs/hs.h"

extensions = []
if os.path.exists(HS_HEADER) or os.environ.get("INCIDENTROOM_FORCE_CORE"):
    extensions = cythonize(
        [
            Extension(
                "incidentroom.scanner.detect._fastdetect",
                ["src/incidentroom/scanner/detect/_fastdetect.pyx"],
                libraries=["hs"],
            )
        ],
        compiler_directives={"language_level": "3"},
    )
else:
    print(
        f"warning: {HS_HEADER} not found (apt-get install libhyperscan-dev): building without the compiled detection core",
        file=sys.stderr,
    )

setup(ext_modules=extensions)
