"""Log format plugins: importing this package registers every format (adding one is one file)."""

from incidentroom.threats.sweep.formats import (  # noqa: F401 - imported for registration
    entra,
    evtx_log,
    exchange_trace,
    firewall,
    m365,
    syslog,
)
from incidentroom.threats.sweep.formats.base import LogFormat, all_formats, detect_format

__all__ = ["LogFormat", "all_formats", "detect_format"]
