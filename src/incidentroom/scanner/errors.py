"""Scanner errors with stable codes (the CLI prints the message, never a traceback)."""

from __future__ import annotations


class ScanError(Exception):
    """A scan could not start or continue; ``code`` is stable for callers to branch on."""

    def __init__(self, code: str, message: str) -> None:
        """Keep the stable code next to the human message."""
        super().__init__(message)
        self.code = code
        self.message = message
