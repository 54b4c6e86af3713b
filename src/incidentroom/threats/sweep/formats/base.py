"""The log format plugin interface and its registry (one small class per format, one file each)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from incidentroom.threats.sweep.model import Event

csv.field_size_limit(16 * 1024 * 1024)


class LogFormat(ABC):
    """A log export format: recognise it from its name and first bytes, then yield its records.

    ``name`` is stable (it is stored on every hit); ``priority`` orders sniffing so that a
    specific CSV (Exchange message trace) is tried before the generic firewall CSV.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    priority: ClassVar[int] = 50
    _registry: ClassVar[list[type[LogFormat]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            LogFormat._registry.append(cls)

    @abstractmethod
    def sniff(self, filename: str, head: bytes) -> bool:
        """Whether this file is in this format (``head`` is its first 64 KB)."""

    @abstractmethod
    def read(self, log: str, path: Path) -> Iterator[Event]:
        """Every record of the file at ``path``; ``log`` is the name shown on hits."""

    # Line-based formats may also parse one line on its own: then, when no loaded Sigma
    # rule is for ``line_products``, the engine scans the raw file in large blocks and
    # parses only the lines where an indicator matched.
    line_products: ClassVar[frozenset[str] | None] = None

    def line_context(self, path: Path) -> Any:
        """Whatever ``parse_line`` needs from the file as a whole."""
        return None

    def parse_line(self, log: str, number: int, line: str, context: Any) -> Event | None:
        """One line as an event (line-based formats only: the engine calls this only when
        ``line_products`` is set)."""
        raise TypeError(f"{type(self).__name__} is not a line-based format")


def all_formats() -> list[LogFormat]:
    """Every registered format, most specific first."""
    from incidentroom.threats.sweep import formats as _package  # noqa: F401 - imports the plugins

    return [cls() for cls in sorted(LogFormat._registry, key=lambda c: (c.priority, c.name))]


def detect_format(filename: str, head: bytes) -> LogFormat | None:
    """The first format that recognises the file."""
    for fmt in all_formats():
        if fmt.sniff(filename, head):
            return fmt
    return None


# -- helpers the plugins share -----------------------------------------------------------


def text_head(head: bytes) -> str:
    """The head decoded for sniffing (BOM and undecodable bytes tolerated)."""
    return head.decode("utf-8-sig", "replace")


def csv_header(head: bytes) -> list[str]:
    """The first CSV row of ``head``, lower-cased, or [] when it is not CSV."""
    text = text_head(head)
    first = text.split("\n", 1)[0]
    if "," not in first and "\t" not in first:
        return []
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        row = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    return [c.strip().strip('"').lower() for c in row]


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line number, row by lower-cased header, the row's values joined) for each CSV row."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        first = handle.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter), [])]
        reader = csv.reader(handle, delimiter=delimiter)
        line = 2
        for row in reader:
            if row:
                yield line, dict(zip(header, row, strict=False)), "\t".join(row)
            line = reader.line_num + 1


def first_of(row: dict[str, Any], *names: str) -> str:
    """The first non-empty value among ``names``."""
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def parse_time(value: Any) -> dt.datetime | None:
    """An aware UTC time from the spellings logs use (ISO 8601, with or without Z, M365's
    ``2025-11-24T08:10:01``, EVTX's ``2025-11-24 08:10:01.123 UTC``, US ``11/24/2025 8:10:01 AM``)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.endswith(" UTC"):
        text = text[:-4]
    text = text.replace("Z", "+00:00") if text.endswith("Z") else text
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        for fmt in ("%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - log times are UTC, set below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def flatten(value: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nested JSON as dotted keys (``location.countryOrRegion``); lists of {Name, Value} (M365
    ``Parameters``) become both ``Parameters.<Name>`` and one joined ``Parameters`` string."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        if value and all(isinstance(v, dict) and "Name" in v for v in value):
            for v in value:
                out[f"{prefix}.{v.get('Name')}"] = v.get("Value")
            out[prefix] = ";".join(f"{v.get('Name')}={v.get('Value')}" for v in value)
        else:
            out[prefix] = value
    else:
        out[prefix] = value
    return out


def json_records(path: Path) -> Iterator[tuple[int, Any, str]]:
    """(line, record, raw text) from JSON lines (streamed), a JSON array or a Graph
    ``{"value": [...]}`` page (parsed whole: the portals page these exports, so one file
    stays small)."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
        try:
            record = json.loads(first)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict) and "value" not in record:
            yield 1, record, first.strip()
            for number, line in enumerate(handle, start=2):
                line = line.strip()
                if not line:
                    continue
                try:
                    yield number, json.loads(line), line
                except json.JSONDecodeError as exc:
                    raise ValueError(f"line {number} is not JSON: {exc.msg}") from exc
            return
        try:
            doc = json.loads(first + handle.read())
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON (line {exc.lineno}: {exc.msg})") from exc
    items = doc.get("value", [doc]) if isinstance(doc, dict) else doc
    for index, item in enumerate(items if isinstance(items, list) else [items], start=1):
        yield index, item, json.dumps(item, ensure_ascii=False)
