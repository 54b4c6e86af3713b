"""Every change to breach data (being split into modules by concept)."""

from incidentroom.breach.actions.scans import *  # noqa: F403
from incidentroom.breach.actions.scans import _notified_by_email  # noqa: F401
