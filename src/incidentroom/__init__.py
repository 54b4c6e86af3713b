"""Incident Room: incident command, breach reporting and resident communication.

This package's top level imports nothing, so that ``incidentroom.scanner`` (a pure library)
can be imported without pulling in Django.
"""

__version__ = "0.1.0"
