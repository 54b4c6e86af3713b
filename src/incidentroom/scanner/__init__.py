"""Breach-impact scanner: a pure library (it never imports Django).

Use :func:`run_scan` from Python or ``incidentroom scan`` from a shell.
"""

from .engine import ScanProgress, ScanSummary, run_scan
from .errors import ScanError
from .extractors.base import Limits
from .policy import RiskPolicy
from .vocab import CATEGORIES

__all__ = ["CATEGORIES", "Limits", "RiskPolicy", "ScanError", "ScanProgress", "ScanSummary", "run_scan"]
