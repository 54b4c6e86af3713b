"""The sweep engine: read log exports, match every indicator in one hyperscan pass, run Sigma rules.

A pure library like the scanner (it never imports Django), so the benchmark and the
command line can run it alone; the web app calls it from a background task.
"""

from incidentroom.threats.sweep.engine import FileReport, SweepResult, run_sweep
from incidentroom.threats.sweep.matcher import IndicatorMatcher, IndicatorSpec
from incidentroom.threats.sweep.model import Event, Hit

__all__ = ["Event", "FileReport", "Hit", "IndicatorMatcher", "IndicatorSpec", "SweepResult", "run_sweep"]
