"""Type stub for the compiled detection core (``_fastdetect.pyx``)."""

from collections.abc import Sequence

from ..model import Finding, Location
from .detectors.base import Detector

def libhs_version() -> str: ...

class PatternError(ValueError): ...

class Engine:
    def __init__(
        self,
        owners: Sequence[Detector],
        ranks: Sequence[int],
        expressions: list[bytes],
        serialized: bytes | None = None,
    ) -> None: ...
    def serialize(self) -> bytes: ...
    def reset(self) -> None: ...
    def bare(self, data: bytes) -> int: ...
    def detect(
        self,
        data: bytes,
        location: Location,
        cell_starts: list[int] | None,
        headers: tuple[str, ...],
        skip_names: bool,
    ) -> list[Finding]: ...
