"""Run a sweep: walk the inputs, open archives, parse each log, match indicators and rules.

Records are matched a batch at a time: a batch's texts are joined by newlines and scanned
by hyperscan once, and each match is mapped back to its record by offset. Memory is
bounded by the batch (plus the hits); compressed members are unpacked one at a time into
a temporary folder that is emptied as soon as the member is read.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from incidentroom.threats.sweep.formats import LogFormat, detect_format
from incidentroom.threats.sweep.matcher import IndicatorMatcher, IndicatorSpec
from incidentroom.threats.sweep.model import Event, Hit
from incidentroom.threats.sweep.sigma import RuleHit, RuleSet

BATCH_EVENTS = 2000
EXCERPT = 400
MAX_NESTING = 3
# A member that inflates more than this many times is a bomb, not a log.
MAX_RATIO = 200
MAX_MEMBER_BYTES = 16 * 1024**3
_NEWLINE = re.compile(b"\n")


@dataclass
class FileReport:
    """What happened to one input file or archive member."""

    name: str
    format: str = ""
    events: int = 0
    hits: int = 0
    status: str = "read"
    reason: str = ""


@dataclass
class SweepResult:
    """Everything a sweep found and how each file went."""

    hits: list[Hit] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    events: int = 0
    bytes_read: int = 0
    rules_skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Progress:
    """Reported after each batch: bytes of input finished or under way, records read."""

    bytes_done: int
    bytes_total: int
    events: int
    hits: int


def _inputs(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_symlink():
            continue
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not p.is_symlink())
        elif path.is_file():
            files.append(path)
    return files


def _excerpt(text: str, start: int | None) -> str:
    if len(text) <= EXCERPT:
        return text
    if start is None:
        return text[:EXCERPT] + "…"
    begin = max(0, start - EXCERPT // 2)
    return ("…" if begin else "") + text[begin : begin + EXCERPT] + "…"


class _Member:
    """A file to parse: on disk already, or unpacked from an archive into ``tmp``."""

    def __init__(self, name: str, path: Path, depth: int) -> None:
        self.name = name
        self.path = path
        self.depth = depth


def _expand(name: str, path: Path, tmp: Path, depth: int, reports: list[FileReport]) -> Iterator[_Member]:
    """The loggable files in ``path``: itself, or the members of a zip or gzip, recursively."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic[:2] == b"\x1f\x8b" or magic == b"PK\x03\x04":
        if depth >= MAX_NESTING:
            reports.append(
                FileReport(name, status="skipped", reason=f"nested deeper than {MAX_NESTING} archives")
            )
            return
    if magic[:2] == b"\x1f\x8b":
        inner = tmp / f"d{depth}" / (Path(name.split("!")[-1]).stem or "member")
        inner.parent.mkdir(parents=True, exist_ok=True)
        try:
            _copy_limited(gzip.open(path, "rb"), inner, path.stat().st_size)
        except (OSError, EOFError, ValueError) as exc:
            reports.append(FileReport(name, status="failed", reason=f"gzip: {exc}"))
            return
        yield from _expand(f"{name}!{inner.name}", inner, tmp, depth + 1, reports)
        inner.unlink(missing_ok=True)
        return
    if magic == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            reports.append(FileReport(name, status="failed", reason=f"zip: {exc}"))
            return
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                member_name = f"{name}!{info.filename}"
                if info.flag_bits & 0x1:
                    reports.append(
                        FileReport(member_name, status="failed", reason="encrypted (password protected)")
                    )
                    continue
                inner = tmp / f"z{depth}" / (Path(info.filename).name or "member")
                inner.parent.mkdir(parents=True, exist_ok=True)
                try:
                    _copy_limited(archive.open(info), inner, max(info.compress_size, 1))
                except (OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:
                    reports.append(FileReport(member_name, status="failed", reason=f"zip member: {exc}"))
                    continue
                yield from _expand(member_name, inner, tmp, depth + 1, reports)
                inner.unlink(missing_ok=True)
        return
    yield _Member(name, path, depth)


def _copy_limited(source: object, target: Path, packed: int) -> None:
    """Unpack with the bomb limits checked on the bytes actually produced."""
    limit = min(MAX_MEMBER_BYTES, max(packed, 1) * MAX_RATIO + 1024 * 1024)
    written = 0
    with source as reader, target.open("wb") as out:  # type: ignore[attr-defined]
        while True:
            chunk = reader.read(1024 * 1024)
            if not chunk:
                break
            written += len(chunk)
            if written > limit:
                raise ValueError(
                    f"expands beyond {limit:,} bytes (ratio above {MAX_RATIO}): skipped as a bomb"
                )
            out.write(chunk)


def run_sweep(
    paths: Sequence[Path],
    indicators: Sequence[IndicatorSpec],
    rules: RuleSet | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    display_root: Path | None = None,
) -> SweepResult:
    """Sweep every log under ``paths`` for ``indicators`` and ``rules`` in one pass per batch."""
    matcher = IndicatorMatcher(indicators)
    ruleset = rules if rules is not None else RuleSet()
    result = SweepResult(rules_skipped=list(ruleset.skipped))
    files = _inputs(paths)
    total = sum(f.stat().st_size for f in files)
    done = 0
    for path in files:
        sweep_file(path, shown_name(path, display_root), matcher, ruleset, result, progress, done, total)
        done += path.stat().st_size
        result.bytes_read = done
        if progress:
            progress(Progress(done, total, result.events, len(result.hits)))
    for rule_hit in ruleset.finish():
        result.hits.append(_rule_hit(rule_hit, _format_of(result, rule_hit.event.log)))
    return result


def shown_name(path: Path, display_root: Path | None) -> str:
    """The name a file is reported under: relative to the swept folder, else its own name."""
    try:
        return str(path.relative_to(display_root)) if display_root else path.name
    except ValueError:
        return path.name


def sweep_file(
    path: Path,
    shown: str,
    matcher: IndicatorMatcher,
    ruleset: RuleSet,
    result: SweepResult,
    progress: Callable[[Progress], None] | None,
    done: int,
    total: int,
) -> None:
    """Sweep one input file (or archive), adding its hits and reports to ``result``.

    Correlations only collect here; the caller runs ``ruleset.finish()`` once every file is in.
    """
    with tempfile.TemporaryDirectory(prefix="ir-sweep-") as tmp_name:
        for member in _expand(shown, path, Path(tmp_name), 0, result.files):
            report = FileReport(member.name)
            result.files.append(report)
            with member.path.open("rb") as handle:
                head = handle.read(64 * 1024)
            fmt = detect_format(member.name.split("!")[-1], head)
            if fmt is None:
                report.status = "skipped"
                report.reason = "not a log format the sweep reads"
                continue
            report.format = fmt.name
            try:
                if fmt.line_products is not None and not ruleset.covers(fmt.line_products):
                    _sweep_blocks(
                        fmt, member.name, member.path, matcher, result, report, progress, done, total
                    )
                    continue
                _sweep_member(
                    fmt.name,
                    fmt.read(member.name, member.path),
                    matcher,
                    ruleset,
                    result,
                    report,
                    progress,
                    done,
                    total,
                )
            except Exception as exc:  # noqa: BLE001 - a corrupt log is reported, the sweep goes on
                report.status = "failed"
                report.reason = f"{type(exc).__name__}: {exc}"[:500]


def _format_of(result: SweepResult, log: str) -> str:
    for report in result.files:
        if report.name == log:
            report.hits += 1
            return report.format
    return ""


def _rule_hit(rule_hit: RuleHit, log_format: str) -> Hit:
    e = rule_hit.event
    return Hit(
        log=e.log,
        line=e.line,
        log_format=log_format,
        time=e.time,
        host=e.host,
        account=e.account,
        excerpt=_excerpt(e.text, None),
        matched=rule_hit.matched,
        rule_id=rule_hit.rule.id,
        rule_title=rule_hit.rule.title,
        rule_level=rule_hit.rule.level,
        rule_author=rule_hit.rule.author,
    )


def _sweep_member(
    log_format: str,
    events: Iterator[Event],
    matcher: IndicatorMatcher,
    ruleset: RuleSet,
    result: SweepResult,
    report: FileReport,
    progress: Callable[[Progress], None] | None,
    done: int,
    total: int,
) -> None:
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if len(batch) >= BATCH_EVENTS:
            _batch(log_format, batch, matcher, ruleset, result, report)
            batch = []
            if progress:
                progress(Progress(done, total, result.events, len(result.hits)))
    if batch:
        _batch(log_format, batch, matcher, ruleset, result, report)


BLOCK_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024


def _sweep_blocks(
    fmt: LogFormat,
    log: str,
    path: Path,
    matcher: IndicatorMatcher,
    result: SweepResult,
    report: FileReport,
    progress: Callable[[Progress], None] | None,
    done: int,
    total: int,
    start: int = 0,
    end: int | None = None,
) -> None:
    """A line-based log no loaded rule reads: scan the raw file 8 MB at a time (whole
    lines) and parse only the lines an indicator matched in.

    ``start``/``end`` limit it to a byte range that begins and ends at line boundaries (a
    part of a large log); line numbers are then counted from the range's first line.
    """
    context = fmt.line_context(path)
    lines_before = 0
    carry = b""
    with path.open("rb") as handle:
        handle.seek(start)
        left = end - start if end is not None else -1
        while True:
            chunk = handle.read(BLOCK_BYTES if left < 0 else min(BLOCK_BYTES, left))
            if left >= 0:
                left -= len(chunk)
            data = carry + chunk
            if not data:
                break
            if chunk:
                cut = data.rfind(b"\n") + 1
                if cut == 0 and len(data) < MAX_LINE_BYTES:
                    carry = data
                    continue
                cut = cut or len(data)
                block, carry = data[:cut], data[cut:]
            else:
                block, carry = data, b""
            matches = matcher.scan(block)
            if matches:
                newlines = [m.start() for m in _NEWLINE.finditer(block)]
                parsed: dict[int, Event | None] = {}
                seen: set[tuple[int, int]] = set()
                for m in matches:
                    index = bisect_right(newlines, m.start - 1) if newlines else 0
                    number = lines_before + index + 1
                    if (number, m.indicator_id) in seen:
                        continue
                    seen.add((number, m.indicator_id))
                    if number not in parsed:
                        begin = newlines[index - 1] + 1 if index > 0 else 0
                        end = newlines[index] if index < len(newlines) else len(block)
                        text = block[begin:end].decode("utf-8", "replace").rstrip("\r")
                        parsed[number] = fmt.parse_line(log, number, text, context)
                    event = parsed[number]
                    if event is None:
                        continue
                    start = event.text.lower().find(m.text.lower())
                    result.hits.append(_indicator_hit(event, fmt.name, m.indicator_id, m.text, max(start, 0)))
                    report.hits += 1
            count = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            lines_before += count
            result.events += count
            report.events += count
            if progress:
                progress(Progress(done + handle.tell() - start, total, result.events, len(result.hits)))


def _indicator_hit(event: Event, log_format: str, indicator_id: int, text: str, start: int) -> Hit:
    return Hit(
        log=event.log,
        line=event.line,
        log_format=log_format,
        time=event.time,
        host=event.host,
        account=event.account,
        excerpt=_excerpt(event.text, start),
        matched=text,
        indicator_id=indicator_id,
    )


def match_batch(matcher: IndicatorMatcher, batch: Sequence[Event]) -> list[tuple[Event, int, int, int, str]]:
    """(event, indicator id, start, end, text) for every indicator match in ``batch``, found
    by scanning the records joined by newlines once."""
    encoded = [e.text.encode("utf-8", "surrogateescape") for e in batch]
    starts: list[int] = []
    offset = 0
    for chunk in encoded:
        starts.append(offset)
        offset += len(chunk) + 1
    found = []
    for m in matcher.scan(b"\n".join(encoded)):
        index = bisect_right(starts, m.start) - 1
        event = batch[index]
        local = m.start - starts[index]
        # Byte offsets back to character offsets (only for hits, so the decode is cheap).
        chars = len(encoded[index][:local].decode("utf-8", "ignore"))
        found.append((event, m.indicator_id, chars, chars + len(m.text), m.text))
    return found


def _batch(
    log_format: str,
    batch: list[Event],
    matcher: IndicatorMatcher,
    ruleset: RuleSet,
    result: SweepResult,
    report: FileReport,
) -> None:
    result.events += len(batch)
    report.events += len(batch)
    seen: set[tuple[int, int]] = set()
    for event, indicator_id, start, _end, text in match_batch(matcher, batch):
        # One hit per indicator per record, however often it appears in it.
        key = (id(event), indicator_id)
        if key in seen:
            continue
        seen.add(key)
        result.hits.append(_indicator_hit(event, log_format, indicator_id, text, start))
        report.hits += 1
    if ruleset.rules:
        for event in batch:
            for rule_hit in ruleset.evaluate(event):
                result.hits.append(_rule_hit(rule_hit, log_format))
                report.hits += 1
