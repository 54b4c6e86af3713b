"""Detection throughput on extracted text: the scanner vs a bare hyperscan pass vs Presidio.

Usage: .venv/bin/python bench/scan_detect.py [--people 600] [--repeats 9] [--presidio-kb 256] [--dilute 1]

All run on the same text in the same process, interleaved repeat by repeat so that the
machine's drift hits every contender alike; medians are printed. The baselines:

- bare pass (binding): the same expressions compiled by the ``hyperscan`` Python package,
  scanned with a callback that only records each match: what a bare multi-pattern pass
  costs from Python (start tracking on every expression, as the reference path needs).
- bare pass (native): the scanner's own libhs database scanned with a C callback that
  only appends to an array (``Engine.bare``): the engine's floor, with no Python at all
  (the word-list expressions untracked, as the scanner compiles them).
- Presidio: the regex-only analyzer (NoOpNlpEngine), its UK recognizers enabled and the
  phone recogniser limited to GB; it is slow, so it runs on the first --presidio-kb of
  the text and the scanner is timed on that same slice too.

The scanner is timed cold (every memo emptied before each pass: the first pass over new
text) and warm (memos kept: how a long scan runs once names and numbers recur).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable

from incidentroom.scanner.detect.matcher import compiled, detect, engine, raw_matches, reset_caches
from incidentroom.scanner.model import Location
from scan_common import archive, chunks, extracted_texts


def presidio_analyzer():  # type: ignore[no-untyped-def]
    """Presidio configured as the issue says: regex only, UK recognisers, phone GB only."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        NhsRecognizer,
        PhoneRecognizer,
        UkDrivingLicenceRecognizer,
        UkNinoRecognizer,
        UkPassportRecognizer,
        UkPostcodeRecognizer,
        UkVehicleRegistrationRecognizer,
    )

    # Offline: the email recogniser's tldextract must use its bundled suffix list
    # rather than fetch one (the bench machine, like an incident network, may be cut off).
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp, countries=["uk"])
    for recognizer in list(registry.recognizers):
        if (
            recognizer.name in ("PhoneRecognizer",)
            or "Spacy" in recognizer.name
            or "Ner" in type(recognizer).__name__
        ):
            registry.remove_recognizer(recognizer.name)
    registry.add_recognizer(PhoneRecognizer(supported_regions=("GB",)))
    present = {r.name for r in registry.recognizers}
    for uk in (
        NhsRecognizer,
        UkNinoRecognizer,
        UkPassportRecognizer,
        UkPostcodeRecognizer,
        UkVehicleRegistrationRecognizer,
        UkDrivingLicenceRecognizer,
    ):
        recognizer = uk()
        if recognizer.name not in present:
            registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    return engine, sorted(r.name for r in registry.recognizers)


def main() -> None:
    """Print throughput and ratios, medians over repeats."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--presidio-kb", type=int, default=256)
    parser.add_argument(
        "--dilute",
        type=int,
        default=1,
        help="mix in N-1 times as much council boilerplate prose (no personal data) to model less dense archives",
    )
    args = parser.parse_args()
    root, _ = archive(args.people)
    texts = extracted_texts(root)
    if args.dilute > 1:
        texts = dilute(texts, args.dilute)
    pieces = chunks(texts)
    total = sum(len(p) for p in pieces)
    core = engine()
    if core is None:
        raise SystemExit("the compiled detection core is not built (make install)")
    compiled()
    location = Location()

    def cold(ps: list[bytes]) -> None:
        reset_caches()
        for p in ps:
            detect(p, location)

    def warm(ps: list[bytes]) -> None:
        for p in ps:
            detect(p, location)

    def bare_binding(ps: list[bytes]) -> None:
        for p in ps:
            raw_matches(p)

    def bare_native(ps: list[bytes]) -> None:
        for p in ps:
            core.bare(p)

    t = interleaved(
        {"binding": bare_binding, "native": bare_native, "cold": cold, "warm": warm}, pieces, args.repeats
    )
    findings = sum(len(detect(p, location)) for p in pieces)
    candidates = sum(len(raw_matches(p)) for p in pieces)
    mb = total / 1e6
    print(
        f"corpus: {mb:.2f} MB of extracted text from a {args.people}-person archive, {len(pieces)} pieces, dilution x{args.dilute}"
    )
    print(
        f"candidates (bare matches): {candidates} ({candidates / total * 1024:.1f} per KB), validated findings: {findings}"
    )
    print(f"bare pass, binding   : {mb / t['binding']:8.2f} MB/s (median of {args.repeats})")
    print(f"bare pass, native    : {mb / t['native']:8.2f} MB/s")
    print(f"scanner detect() cold: {mb / t['cold']:8.2f} MB/s")
    print(f"scanner detect() warm: {mb / t['warm']:8.2f} MB/s")
    print(f"cold / binding bare  : {t['cold'] / t['binding']:8.2f}x")
    print(f"warm / binding bare  : {t['warm'] / t['binding']:8.2f}x")
    print(f"cold / native bare   : {t['cold'] / t['native']:8.2f}x  (target <= 2x)")

    try:
        presidio_engine, recognizers = presidio_analyzer()
    except ImportError:
        print("presidio-analyzer not installed: pip install -e '.[bench]' for the Presidio comparison")
        return
    subset: list[bytes] = []
    size = 0
    for p in pieces:
        cut = p[: args.presidio_kb * 1024 - size]
        subset.append(cut.decode("utf-8", "ignore").encode())
        size += len(subset[-1])
        if size >= args.presidio_kb * 1024:
            break
    subset_text = [p.decode() for p in subset]
    sub_mb = size / 1e6

    def presidio(_: list[bytes]) -> None:
        for text in subset_text:
            presidio_engine.analyze(text=text, language="en")

    t = interleaved({"presidio": presidio, "cold": cold, "warm": warm}, subset, max(1, args.repeats // 3))
    print(f"presidio recognisers: {', '.join(recognizers)}")
    print(f"presidio analyzer   : {sub_mb / t['presidio']:8.3f} MB/s on {sub_mb:.2f} MB")
    print(f"scanner cold (same) : {sub_mb / t['cold']:8.2f} MB/s")
    print(f"scanner warm (same) : {sub_mb / t['warm']:8.2f} MB/s")
    print(
        f"scanner vs presidio : {t['presidio'] / t['cold']:8.1f}x faster cold, {t['presidio'] / t['warm']:.1f}x warm  (target >= 100x)"
    )


def dilute(texts: list[str], factor: int) -> list[str]:
    """Mix in factor-1 times as much council boilerplate prose, interleaved so every piece has the same density."""
    from tests.helpers.scangen import PROSE

    prose_size = sum(len(t) for t in texts) * (factor - 1)
    filler: list[str] = []
    size = i = 0
    while size < prose_size:
        filler.append(PROSE[i % len(PROSE)])
        size += len(filler[-1])
        i += 1
    step = max(1, len(filler) // max(1, len(texts)))
    mixed = []
    for n, text in enumerate(texts):
        mixed.append(text)
        mixed.extend(filler[n * step : (n + 1) * step])
    return mixed


def interleaved(
    contenders: dict[str, Callable[[list[bytes]], None]], pieces: list[bytes], repeats: int
) -> dict[str, float]:
    """Median seconds per contender, running each once per round (after one warm-up round)."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(repeats + 1):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn(pieces)
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


if __name__ == "__main__":
    main()
