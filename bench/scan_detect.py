"""Detection throughput on extracted text: the scanner vs a bare hyperscan pass vs Presidio.

Usage: .venv/bin/python bench/scan_detect.py [--people 600] [--repeats 5] [--presidio-kb 256] [--dilute 1]

All three run on the same text in the same process. The bare pass is the same compiled
hyperscan database with a callback that only records matches (the floor for any
hyperscan-based detector). Presidio is the regex-only analyzer (NoOpNlpEngine), its UK
recognizers enabled and the phone recogniser limited to GB; it is slow, so it runs on
the first --presidio-kb of the text and the scanner is timed on that same slice too.
"""

from __future__ import annotations

import argparse
import logging

from incidentroom.scanner.detect import compiled, detect, raw_matches, reset_caches
from incidentroom.scanner.model import Location
from scan_common import archive, chunks, extracted_texts, median_seconds


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
    parser.add_argument("--repeats", type=int, default=5)
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
        from scangen import PROSE

        prose_size = sum(len(t) for t in texts) * (args.dilute - 1)
        filler, i = [], 0
        while sum(len(f) for f in filler) < prose_size:
            filler.append(PROSE[i % len(PROSE)])
            i += 1
        # Interleave so every piece has the same density.
        step = max(1, len(filler) // max(1, len(texts)))
        mixed = []
        for n, text in enumerate(texts):
            mixed.append(text)
            mixed.extend(filler[n * step : (n + 1) * step])
        texts = mixed
    pieces = chunks(texts)
    total = sum(len(p) for p in pieces)
    compiled()
    location = Location()

    def ours(ps: list[bytes]) -> None:
        # Cold: memoised phone validations would otherwise make every repeat after the
        # first look faster than a real first pass over new text.
        reset_caches()
        for p in ps:
            detect(p, location)

    def bare(ps: list[bytes]) -> None:
        for p in ps:
            raw_matches(p)

    t_ours = median_seconds(lambda: ours(pieces), args.repeats)
    t_bare = median_seconds(lambda: bare(pieces), args.repeats)
    findings = sum(len(detect(p, location)) for p in pieces)
    candidates = sum(len(raw_matches(p)) for p in pieces)
    mb = total / 1e6
    print(
        f"corpus: {mb:.2f} MB of extracted text from a {args.people}-person archive, {len(pieces)} pieces, dilution x{args.dilute}"
    )
    print(
        f"candidates (bare matches): {candidates} ({candidates / total * 1024:.1f} per KB), validated findings: {findings}"
    )
    print(f"bare hyperscan pass : {mb / t_bare:8.2f} MB/s (median of {args.repeats})")
    print(f"scanner detect()    : {mb / t_ours:8.2f} MB/s (median of {args.repeats})")
    print(f"scanner / bare time : {t_ours / t_bare:8.2f}x  (target <= 2x)")

    try:
        engine, recognizers = presidio_analyzer()
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

    def presidio() -> None:
        for text in subset_text:
            engine.analyze(text=text, language="en")

    reps = max(1, args.repeats // 2)
    t_presidio = median_seconds(presidio, reps)
    t_ours_sub = median_seconds(lambda: ours(subset), args.repeats)
    print(f"presidio recognisers: {', '.join(recognizers)}")
    print(f"presidio analyzer   : {sub_mb / t_presidio:8.3f} MB/s on {sub_mb:.2f} MB (median of {reps})")
    print(f"scanner (same text) : {sub_mb / t_ours_sub:8.2f} MB/s (median of {args.repeats})")
    print(f"scanner vs presidio : {t_presidio / t_ours_sub:8.1f}x faster  (target >= 100x)")


if __name__ == "__main__":
    main()
