"""Builds the scanner's compiled detection core; everything else is in pyproject.toml.

Cython rather than hand-written C: the core calls back into the detectors' Python
expressions and parsers, which Cython makes a one-line call, and it keeps the code
readable beside the Python reference it must agree with.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("incidentroom.scanner._fastdetect", ["src/incidentroom/scanner/_fastdetect.pyx"])],
        compiler_directives={"language_level": "3"},
    )
)
