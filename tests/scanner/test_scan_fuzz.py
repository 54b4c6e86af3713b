"""Fuzz every extractor: arbitrary bytes under any supported name never escape as an error."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentroom.scanner.extract import Limits, all_extractors
from incidentroom.scanner.pipeline.walk import Task, scan_task

EXTENSIONS = sorted({ext for e in all_extractors() for ext in e.extensions})
PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"%PDF-1.4\n",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"{\\rtf1 ",
    b"From a@b Mon Jan 1\n",
    b"7z\xbc\xaf\x27\x1c",
]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    extension=st.sampled_from(EXTENSIONS),
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=2048) | st.text(max_size=1024).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
def test_extractors_survive_arbitrary_bytes(
    tmp_path_factory: pytest.TempPathFactory, extension: str, prefix: bytes, body: bytes
) -> None:
    data = prefix + body
    folder = tmp_path_factory.mktemp("fuzz")
    name = f"sample.{extension}"
    (folder / name).write_bytes(data)
    task = Task(
        hashlib.sha256(data).hexdigest()[:24],
        0,
        str(folder),
        name,
        len(data),
        Limits(max_depth=3),
        str(folder / "parts"),
    )
    result = scan_task(task, b"k" * 32)
    top = [m for m in result.manifest if m.path == name]
    assert len(top) == 1
    assert top[0].status in ("scanned", "failed", "skipped", "needs_ocr")
    assert top[0].status == "scanned" or top[0].reason
    part = folder / "parts" / f"{task.key}.arrow"
    detections = pa.ipc.open_file(str(part)).read_all().to_pylist() if part.exists() else []
    assert len(detections) == sum(sum(doc.detection_counts.values()) for doc in result.docs)
    for detection in detections:
        assert detection["masked"] and len(detection["value_hash"]) == 32
