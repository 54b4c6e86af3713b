"""Type stub for the compiled detection core (``_fastdetect.pyx``)."""

from collections.abc import Sequence

from .detectors.base import Detector
from .model import Finding, Location

KERNELS: dict[str, int]

class Collector:
    def __call__(self, pid: int, start: int, end: int, flags: int, context: object) -> None: ...
    def __len__(self) -> int: ...

class Engine:
    def __init__(self, database: object, owners: Sequence[Detector], ranks: Sequence[int]) -> None: ...
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
