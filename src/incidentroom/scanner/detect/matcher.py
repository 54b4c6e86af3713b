"""One hyperscan pass finds every detector's candidates; detectors validate them.

The compiled database is built once per process (workers included) and reused for every
text and row. The per-candidate work runs in the compiled core ``_fastdetect`` (built by
``pip install``, see ``setup.py``); :func:`detect_python` is the same algorithm in plain
Python, kept as the reference the core is tested against and as the fallback where no C
compiler was available at install time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import re
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import hyperscan

from ..model import Finding, Location
from .detectors import Detector, all_detectors
from .detectors.base import Candidate, Hit
from .normalise import fold, needs_folding

try:
    from . import _fastdetect
except ImportError:  # built by pip install; absent only where no C compiler was available
    _fastdetect = None  # type: ignore[assignment]

CELL_SEPARATOR = "\x1e"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompiledPatterns:
    """The hyperscan database and, per pattern id, the detector that owns it."""

    database: hyperscan.Database
    owners: tuple[Detector, ...]
    expressions: tuple[bytes, ...]
    name_ids: frozenset[int]


_PRELOADED: list[bytes] = []
# A serialised database is tagged with the library that compiled it: the compiled core
# links Debian's libhs, the Python binding bundles its own, and neither loads the other's.
_NATIVE, _BINDING = b"N", b"B"


def preload(serialized: bytes) -> None:
    """Use a database compiled by the coordinating process (workers start in milliseconds)."""
    _PRELOADED[:] = [serialized]
    compiled.cache_clear()
    engine.cache_clear()


def serialized_database() -> bytes:
    """The compiled database as bytes, for :func:`preload` in worker processes."""
    core = engine()
    if core is not None:
        return _NATIVE + core.serialize()
    return _BINDING + bytes(hyperscan.dumpb(compiled().database))


def warm() -> None:
    """Compile (or load) the patterns this process detects with, before it forks workers."""
    if engine() is None:
        compiled()


@cache
def compiled() -> CompiledPatterns:
    """The expressions compiled by the Python binding (the reference path and the bench's baseline)."""
    owners, expressions = pattern_table()
    if _PRELOADED and _PRELOADED[0][:1] == _BINDING:
        # Pattern ids follow the registry's stable order, so a database compiled in
        # another process from the same code lines up with these owners.
        database = hyperscan.loadb(_PRELOADED[0][1:], hyperscan.HS_MODE_BLOCK)
        # A deserialised database comes without the scratch space compile() allocates.
        database.scratch = hyperscan.Scratch(database)
    else:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=list(expressions),
            ids=list(range(len(expressions))),
            elements=len(expressions),
            flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(expressions),
        )
    name_ids = frozenset(i for i, owner in enumerate(owners) if owner.category == "name")
    return CompiledPatterns(database, tuple(owners), tuple(expressions), name_ids)


@cache
def pattern_table() -> tuple[tuple[Detector, ...], tuple[bytes, ...]]:
    """Every detector expression in a stable order (the pattern id) with the detector owning it."""
    expressions: list[bytes] = []
    owners: list[Detector] = []
    for detector in all_detectors():
        for pattern in detector.patterns:
            expressions.append(pattern.encode())
            owners.append(detector)
    return tuple(owners), tuple(expressions)


class Layout(NamedTuple):
    """How the compiled core finds where a match of a word-list expression starts.

    Hyperscan's start-of-match tracking costs a sixth of the whole scan for the name
    expressions alone. An expression of the form ``(?i)?\\b(?:word|word...)TAIL`` does
    not need it: from the end hyperscan reports, the core steps back over the tail and
    takes the longest listed word that ends there after a word boundary, which is the
    leftmost start tracking would have given. Every other expression keeps the tracking.
    """

    words: tuple[bytes, ...]  # longest first; lower case when caseless
    caseless: bool
    tail: int  # index into TAILS
    single_words: bool  # every word is one run of letters: its start is where the run starts


#: The tails the core can step back over, in the order its start recovery numbers them.
#: A name's first letter is ASCII or a UTF-8 lead byte (a letter of any script; the
#: name parser decides): one byte either way, which is what the core steps back over.
TAILS = (
    rb"\b",
    rb"[ ]+(?:[A-Z]|[\xc2-\xf4])",
    rb"\.?[ ]+(?:[A-Z]|[\xc2-\xf4])",
    rb"[ \t]{0,8}:[ \t]{0,8}(?:[A-Za-z]|[\xc2-\xf4])",
)
_WORD_LIST = re.compile(
    rb"(\(\?i\))?\\b\(\?:((?:[A-Za-z0-9' |]|\[ \]|\\[-.'])+)\)("
    + b"|".join(re.escape(t) for t in TAILS)
    + rb")"
)


def start_layout(expression: bytes) -> Layout | None:
    """The :class:`Layout` of a word-list expression, or ``None`` when it needs start tracking."""
    match = _WORD_LIST.fullmatch(expression)
    if match is None:
        return None
    caseless = match[1] is not None
    words = []
    for alternative in match[2].split(b"|"):
        word = alternative.replace(b"[ ]", b" ").replace(b"\\", b"")
        if not (word[:1].isalpha() and word[-1:].isalnum()):
            return None  # the boundary checks assume a word starts and ends with a word character
        words.append(word.lower() if caseless else word)
    ordered = tuple(sorted(set(words), key=lambda w: (-len(w), w)))
    return Layout(ordered, caseless, TAILS.index(match[3]), all(w.isalpha() for w in ordered))


#: Parts of the compiled core left out (see :func:`leave_out`); empty in a real scan.
_LEFT_OUT: set[str] = set()
#: What :func:`leave_out` accepts beyond the core's own kernels and switches.
WHOLE_CORE, START_RECOVERY = "core", "start_recovery"


def leave_out(parts: Iterable[str]) -> None:
    """Run without these parts of the compiled core, each replaced by its Python equivalent.

    For bench/scan_kernels.py, which times a scan with and without each part to decide
    what stays compiled. ``parts`` are kernel names (``_fastdetect.KERNELS``), the
    core's switches (``_fastdetect.SWITCHES``), :data:`START_RECOVERY` (hyperscan
    tracks every expression's start) or :data:`WHOLE_CORE` (the reference path).
    Takes effect for engines made after the call, in this process only.
    """
    parts = set(parts)
    if _fastdetect is not None:
        unknown = parts - set(_fastdetect.KERNELS) - set(_fastdetect.SWITCHES) - {WHOLE_CORE, START_RECOVERY}
        if unknown:
            raise ValueError(f"not parts of the compiled core: {sorted(unknown)}")
    _LEFT_OUT.clear()
    _LEFT_OUT.update(parts)
    engine.cache_clear()


@cache
def engine() -> _fastdetect.Engine | None:
    """The compiled core with its own libhs database, or ``None`` when it was not built."""
    if WHOLE_CORE in _LEFT_OUT:
        return None
    if _fastdetect is None:
        log.warning("the compiled detection core is not built; detection runs in pure Python (slower)")
        return None
    known = getattr(_fastdetect, "KERNELS", None)
    if known is None or any(d.kernel not in known for d in all_detectors()):
        # A core built from the loop-only _fastdetect.pyx of 30 November takes other
        # arguments; one built before a detector gained its kernel would refuse that detector.
        log.warning(
            "the compiled detection core was built from an older _fastdetect.pyx (rebuild it: make install); "
            "detection runs in pure Python (slower)"
        )
        return None
    owners, expressions = pattern_table()
    # all_detectors() is in name order: a detector's place there is the reference's tie-break.
    place = {id(d): i for i, d in enumerate(all_detectors())}
    ranks = [place[id(d)] for d in owners]
    if START_RECOVERY in _LEFT_OUT:
        layouts: list[Layout | None] = [None] * len(expressions)
    else:
        layouts = [start_layout(e) for e in expressions]
    off = frozenset(_LEFT_OUT - {START_RECOVERY})
    contexts = _context_cache()
    if _PRELOADED and _PRELOADED[0][:1] == _NATIVE:
        return _fastdetect.Engine(owners, ranks, list(expressions), layouts, _PRELOADED[0][1:], off, contexts)
    cached = _database_cache_path(expressions, layouts)
    if cached is not None and cached.exists():
        try:
            return _fastdetect.Engine(
                owners, ranks, list(expressions), layouts, cached.read_bytes(), off, contexts
            )
        except (OSError, _fastdetect.PatternError) as exc:
            log.info("recompiling the detection patterns: %s does not load (%s)", cached, exc)
    core = _fastdetect.Engine(owners, ranks, list(expressions), layouts, None, off, contexts)
    if cached is not None:
        _write_atomically(cached, core.serialize())
    return core


def _context_cache() -> tuple[Callable[[bytes], bytes | None], Callable[[bytes, bytes], None]]:
    """How the core loads and keeps its context databases, beside the pattern database's cache."""

    def load(expression: bytes) -> bytes | None:
        path = _database_cache_path((expression,), [], kind="context")
        try:
            return None if path is None else path.read_bytes()
        except OSError:
            return None

    def store(expression: bytes, serialized: bytes) -> None:
        path = _database_cache_path((expression,), [], kind="context")
        if path is not None:
            _write_atomically(path, serialized)

    return load, store


def _database_cache_path(
    expressions: tuple[bytes, ...], layouts: list[Layout | None], kind: str = "patterns"
) -> Path | None:
    """Where the compiled database is kept between processes (compiling takes seconds).

    ``INCIDENTROOM_CACHE_DIR``, else ``$XDG_CACHE_HOME/incidentroom`` or
    ``~/.cache/incidentroom``; an empty ``INCIDENTROOM_CACHE_DIR`` turns the cache off.
    The name covers the expressions, which of them are compiled without start tracking,
    the libhs version and this CPU's features, since hyperscan compiles for the
    instructions of the machine it runs on.
    """
    configured = os.environ.get("INCIDENTROOM_CACHE_DIR")
    if configured == "":
        return None
    if configured:
        root = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "incidentroom"
    digest = hashlib.sha256()
    for part in (
        _fastdetect.libhs_version().encode(),
        platform.machine().encode(),
        _cpu_flags(),
        bytes(layout is None for layout in layouts),
        *expressions,
    ):
        digest.update(len(part).to_bytes(8, "big") + part)
    return root / f"{kind}-{digest.hexdigest()[:32]}.hs"


def _cpu_flags() -> bytes:
    try:
        with open("/proc/cpuinfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"flags"):
                    return line.strip()
    except OSError:
        pass
    return platform.processor().encode()


def _write_atomically(path: Path, data: bytes) -> None:
    """Best effort: a read-only or full cache directory only costs the next process a compile."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".patterns-", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.info("cannot cache the compiled detection patterns in %s: %s", path.parent, exc)


_MISSING = object()
_VALUE_CACHE: dict[tuple[int, bytes], Hit | None] = {}
_VALUE_CACHE_LIMIT = 200_000


def reset_caches() -> None:
    """Forget memoised validations (the benchmarks time cold passes with this)."""
    from .detectors.email import is_role_or_test
    from .detectors.name import parse_name_run
    from .detectors.nhs_number import judge_number
    from .detectors.phone import normalise_uk_phone
    from .detectors.vehicle_registration import judge_mark

    for memoised in (is_role_or_test, parse_name_run, judge_number, normalise_uk_phone, judge_mark):
        memoised.cache_clear()
    _VALUE_CACHE.clear()
    core = engine()
    if core is not None:
        core.reset()


def raw_matches(data: bytes) -> dict[tuple[int, int], int]:
    """Every (pattern id, start) with its longest end: the bare multi-pattern pass."""
    found: dict[tuple[int, int], int] = {}

    def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
        """Keep the longest end per (pattern, start)."""
        key = (pattern_id, start)
        if found.get(key, -1) < end:
            found[key] = end

    compiled().database.scan(data, match_event_handler=on_match)
    return found


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Where findings overlap keep the most confident (then longest); sweep by start."""
    if len(findings) < 2:
        return findings
    findings.sort(key=lambda f: (f.start, -f.end))
    kept: list[Finding] = []
    cluster: list[Finding] = []
    cluster_end = -1

    def flush() -> None:
        """Choose the non-overlapping findings of one overlapping cluster."""
        if len(cluster) == 1:
            kept.append(cluster[0])
            return
        chosen: list[Finding] = []
        for f in sorted(cluster, key=lambda f: (-f.confidence, -(f.end - f.start), f.start, f.detector)):
            if all(f.end <= c.start or f.start >= c.end for c in chosen):
                chosen.append(f)
        kept.extend(sorted(chosen, key=lambda f: f.start))

    for f in findings:
        if cluster and f.start >= cluster_end:
            flush()
            cluster = []
        cluster.append(f)
        cluster_end = max(cluster_end, f.end) if len(cluster) > 1 else f.end
    flush()
    return kept


def detect(
    data: bytes,
    location: Location,
    cell_starts: list[int] | None = None,
    headers: tuple[str, ...] = (),
    skip_names: bool = False,
) -> list[Finding]:
    """Validated, non-overlapping findings in UTF-8 ``data``.

    For a table row, ``data`` is the cells joined by :data:`CELL_SEPARATOR`,
    ``cell_starts`` the byte offset of each cell and ``headers`` their lower-cased
    headers; a hit then sees its own column header as context. ``skip_names`` leaves
    out the running-text name patterns (a table row takes its names from its columns).
    """
    core = engine()
    run = core.detect if core is not None else detect_python
    return _detect_with(run, data, location, cell_starts, headers, skip_names)


def detect_reference(
    data: bytes,
    location: Location,
    cell_starts: list[int] | None = None,
    headers: tuple[str, ...] = (),
    skip_names: bool = False,
) -> list[Finding]:
    """:func:`detect` with the reference path: folding, then :func:`detect_python`."""
    return _detect_with(detect_python, data, location, cell_starts, headers, skip_names)


def _detect_with(
    run: Callable[..., list[Finding]],
    data: bytes,
    location: Location,
    cell_starts: list[int] | None,
    headers: tuple[str, ...],
    skip_names: bool,
) -> list[Finding]:
    # Most text has nothing to fold: it goes to the kernels as it is, with no offset map.
    if not needs_folding(data):
        return run(data, location, cell_starts, headers, skip_names)
    return _detect_folded(run, data, location, cell_starts, headers, skip_names)


def _detect_folded(
    run: Callable[..., list[Finding]],
    data: bytes,
    location: Location,
    cell_starts: list[int] | None,
    headers: tuple[str, ...],
    skip_names: bool,
) -> list[Finding]:
    """Detect in the folded text (see :mod:`.normalise`), reported against the original.

    Offsets, the location's offset and the value (what the mask is made from) all come
    from the original text; the normalised value is the folded one, so a number written
    with full-width digits hashes as the same number written in ASCII. A name's value
    stays the parsed display name, with its spaces folded.
    """
    folded, mapping = fold(data)
    starts = None if cell_starts is None else [mapping.folded(s) for s in cell_starts]
    out: list[Finding] = []
    base = location.offset or 0
    for f in run(folded, location, starts, headers, skip_names):
        s, e = mapping.start(f.start), mapping.end(f.end)
        value = f.value if f.category == "name" else data[s:e].decode("utf-8", "replace")
        loc = f.location if starts is not None else f.location._replace(offset=base + s)
        out.append(Finding(f.category, f.detector, value, f.normalised, s, e, f.confidence, loc))
    return out


def detect_python(
    data: bytes,
    location: Location,
    cell_starts: list[int] | None = None,
    headers: tuple[str, ...] = (),
    skip_names: bool = False,
) -> list[Finding]:
    """:func:`detect` in plain Python: the reference for the compiled core."""
    patterns = compiled()
    owners = patterns.owners
    name_ids = patterns.name_ids
    findings: list[Finding] = []
    append = findings.append
    name_end = -1
    in_row = cell_starts is not None
    base_offset = location.offset or 0
    # In start order, so that the label, title and gazetteer hits of one name
    # ('Client: Mr John Smith') are validated once, by the first of them.
    for (pattern_id, start), end in sorted(raw_matches(data).items(), key=_start_then_pattern):
        is_name = pattern_id in name_ids
        if is_name and (skip_names or start < name_end):
            continue
        header = ""
        if in_row:
            index = bisect_right(cell_starts, start) - 1  # type: ignore[arg-type]
            header = headers[index] if 0 <= index < len(headers) else ""
        detector = owners[pattern_id]
        if detector.context_free:
            key = (pattern_id, data[start - 1 if start else 0 : end])
            cached = _VALUE_CACHE.get(key, _MISSING)
            if cached is _MISSING:
                hit = detector.validate(Candidate(data, start, end, header))
                if len(_VALUE_CACHE) >= _VALUE_CACHE_LIMIT:
                    _VALUE_CACHE.clear()
                _VALUE_CACHE[key] = hit
            else:
                hit = cached  # type: ignore[assignment]
        else:
            hit = detector.validate(Candidate(data, start, end, header))
        if hit is None:
            continue
        s = start if hit.start is None else hit.start
        e = end if hit.end is None else hit.end
        if is_name:
            name_end = e
        loc = (
            location
            if in_row
            else Location(location.page, location.sheet, location.row, location.line, base_offset + s)
        )
        append(
            Finding(detector.category, detector.name, hit.value, hit.normalised, s, e, hit.confidence, loc)
        )
    return _resolve_overlaps(findings)


def _start_then_pattern(item: tuple[tuple[int, int], int]) -> tuple[int, int]:
    return item[0][1], item[0][0]
