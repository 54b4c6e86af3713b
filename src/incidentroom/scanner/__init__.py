"""Breach-impact scanner: a pure library (it never imports Django).

Use :func:`run_scan` from Python or ``incidentroom scan`` from a shell.
"""

from .detect.vocab import CATEGORIES
from .errors import ScanError
from .extract.base import Limits
from .pipeline.engine import ScanProgress, ScanSummary, run_scan
from .policy import RiskPolicy

__all__ = ["CATEGORIES", "Limits", "RiskPolicy", "ScanError", "ScanProgress", "ScanSummary", "run_scan"]
