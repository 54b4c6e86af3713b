"""Type stub for the compiled detection core (``_fastdetect.pyx``)."""

from collections.abc import Callable, Sequence

from ..model import Finding, Location
from .detectors.base import Detector
from .detectors.name import NameParse
from .matcher import Layout

KERNELS: dict[str, int]
SWITCHES: tuple[str, ...]

def libhs_version() -> str: ...
def judge_mark(value: bytes, latest: int) -> tuple[str, int] | None: ...

class PatternError(ValueError): ...

class Engine:
    def __init__(
        self,
        owners: Sequence[Detector],
        ranks: Sequence[int],
        expressions: list[bytes],
        layouts: Sequence[Layout | None],
        serialized: bytes | None = None,
        off: frozenset[str] = ...,
        context_cache: tuple[Callable[[bytes], bytes | None], Callable[[bytes, bytes], None]] | None = None,
    ) -> None: ...
    def serialize(self) -> bytes: ...
    def reset(self) -> None: ...
    def context_expressions(self) -> dict[bytes, bool]: ...
    def parse_name(self, key: bytes, labelled: bool) -> NameParse | None: ...
    def bare(self, data: bytes) -> int: ...
    def detect(
        self,
        data: bytes,
        location: Location,
        cell_starts: list[int] | None,
        headers: tuple[str, ...],
        skip_names: bool,
    ) -> list[Finding]: ...
