"""From every file's results to individuals: de-duplicate, drop organisation values, link.

This runs once, in the coordinating process, over results sorted by path, so that the
outcome never depends on which worker finished first.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..detect.vocab import category_order
from ..model import DocResult, FileResult, ManifestEntry, RecordData
from ..policy import RiskPolicy
from .linkage import link
from .names import TITLE_WORDS, parse_name

# Placeholder people used in forms, training material and test data.
TEST_NAMES = frozenset(
    {
        ("joe", "bloggs"),
        ("fred", "bloggs"),
        ("john", "doe"),
        ("jane", "doe"),
        ("test", "user"),
        ("test", "test"),
        ("mickey", "mouse"),
        ("a", "n other"),
    }
)
# A value shared by this many different surnames across this many documents belongs to
# the organisation (switchboard, shared mailbox, council bank account), not to a person.
ORG_MIN_SURNAMES = {"email": 3, "phone": 3, "bank": 3, "postcode": 6}
ORG_MIN_DOCUMENTS = {"email": 5, "phone": 5, "bank": 5, "postcode": 10}
_POSTCODE_IN = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")


@dataclass
class Individual:
    """One row of ``individuals.csv``."""

    person_id: str
    full_name: str
    date_of_birth: str
    address: str
    postcode: str
    email: str
    phone: str
    categories: list[str]
    risk: str
    documents: list[str]
    source_roots: list[str]
    records: list[int] = field(default_factory=list)
    #: A record says this person has died: letters and emails skip them by default.
    deceased: bool = False


@dataclass
class Aggregate:
    """Everything the output writers need."""

    manifest: list[ManifestEntry]
    docs: list[DocResult]
    records: list[RecordData]
    individuals: list[Individual]
    organisation_values: dict[str, int]
    record_person: dict[tuple[str, int, int], str]


def deduplicate(
    results: Sequence[FileResult],
) -> tuple[list[ManifestEntry], list[DocResult], dict[str, list[tuple[int, str]]]]:
    """Mark cross-file duplicates, keep one document per content hash, list every path."""
    manifest = sorted((m for r in results for m in r.manifest), key=lambda m: (m.root, m.path))
    docs = {(d.root, d.path): d for r in results for d in r.docs}
    canonical: dict[str, ManifestEntry] = {}
    for entry in manifest:
        if entry.sha256 and entry.status != "duplicate" and entry.sha256 not in canonical:
            canonical[entry.sha256] = entry
    paths: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entry in manifest:
        if not entry.sha256:
            continue
        first = canonical.get(entry.sha256)
        if first is None:
            continue
        if entry is not first:
            entry.status, entry.duplicate_of = "duplicate", first.path
            entry.reason = "identical content scanned once"
            docs.pop((entry.root, entry.path), None)
        paths[entry.sha256].append((entry.root, entry.path))
    kept = [docs[k] for k in sorted(docs)]
    return manifest, kept, paths


def _org_values(
    records: Sequence[RecordData],
) -> tuple[dict[tuple[str, str], int], list[list[tuple[str, str]]]]:
    """The organisation values (with the number of documents they are in), and each
    record's candidate values (:func:`_org_keys`), worked out once for both passes and
    for :func:`_strip_org_values`."""
    documents: dict[tuple[str, str], set[str]] = defaultdict(set)
    every = [_org_keys(record) for record in records]
    for record, keys in zip(records, every, strict=True):
        for key in keys:
            documents[key].add(record.doc)
    # Surnames are gathered only for the values in enough documents: few are (none in a scan
    # of one register), and parsing every record's names for all of them was most of the work.
    wide = {key for key, docs in documents.items() if len(docs) >= ORG_MIN_DOCUMENTS[key[0]]}
    surnames: dict[tuple[str, str], set[str]] = defaultdict(set)
    if wide:
        for record, all_keys in zip(records, every, strict=True):
            keys = [key for key in all_keys if key in wide]
            if keys:
                last = {parse_name(n).last for n in record.names} or {""}
                for key in keys:
                    surnames[key].update(last)
    org = {
        key: len(documents[key])
        for key in documents
        if key in wide and len(surnames[key] - {""}) >= ORG_MIN_SURNAMES[key[0]]
    }
    return org, every


def _org_keys(record: RecordData) -> list[tuple[str, str]]:
    """The values of a record that may be an organisation's, each with its kind."""
    keys = [("email", v) for v in record.emails] + [("phone", v) for v in record.phones]
    keys += [("bank", v) for v in record.ids.get("bank_account", [])] + [
        ("postcode", v) for v in record.postcodes
    ]
    return keys


def _strip_org_values(record: RecordData, org: dict[tuple[str, str], int]) -> None:
    record.emails = [v for v in record.emails if ("email", v) not in org]
    record.phones = [v for v in record.phones if ("phone", v) not in org]
    if "bank_account" in record.ids:
        record.ids["bank_account"] = [v for v in record.ids["bank_account"] if ("bank", v) not in org]
    org_postcodes = {v for v in record.postcodes if ("postcode", v) in org}
    if org_postcodes:  # most records have none: their addresses need no search
        record.postcodes = [v for v in record.postcodes if v not in org_postcodes]
        record.addresses = [
            a for a in record.addresses if not (set(_POSTCODE_IN.findall(a.upper())) & org_postcodes)
        ]
    present = {
        "email": bool(record.emails),
        "phone": bool(record.phones),
        "bank_account": bool(record.ids.get("bank_account")),
        "address": bool(record.postcodes or record.addresses),
    }
    record.categories = [c for c in record.categories if present.get(c, True)]


def _is_person(record: RecordData) -> bool:
    names = [parse_name(n) for n in record.names]
    if names and all((n.first, n.last) in TEST_NAMES for n in names):
        return False
    if names:
        return True
    # Without a name, only an email or a government identifier singles out a data subject.
    return bool(
        record.emails
        or any(
            c in record.ids
            for c in ("national_insurance_number", "nhs_number", "passport_number", "driving_licence_number")
        )
    )


def _display_form(raw: str) -> str:
    """A name as a letter is addressed: given names first, every word kept, no title.

    Middle names and particles stay ('Nguyễn Thị Hương', 'Siân Ó Dálaigh'); a word in
    CAPITALS is title-cased, as is a name written all in lower case; words in any
    script are kept as written.
    """
    text = raw.strip()
    if "," in text:
        surname, _, given = text.partition(",")
        text = f"{given} {surname}"
    tokens = [t.strip(".,") for t in text.split()]
    tokens = [t for t in tokens if t and t.lower() not in TITLE_WORDS]
    all_lower = all(t.islower() for t in tokens if t.lower() != t.upper())
    return " ".join(t.title() if (t.isupper() and len(t) > 1) or all_lower else t for t in tokens)


def _display_name(record_names: list[str]) -> str:
    """The fullest form seen: a full given name beats an initial; mixed case beats CAPITALS."""
    best: tuple[int, int, int, str] | None = None
    # A person's records repeat the same few spellings; each is scored once.
    for raw in dict.fromkeys(record_names):
        parsed = parse_name(raw)
        if not parsed.last:
            continue
        text = _display_form(raw)
        mixed = int(not raw.isupper())
        score = (len(parsed.first) > 1, mixed, len(text), text)
        if best is None or score > best:
            best = (score[0], score[1], score[2], text)
    return best[3] if best else ""


def _most_common(values: list[str]) -> str:
    if len(values) < 2:  # most people of a register are on one record with one value
        return values[0] if values else ""
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], v))[0]


def build(results: Sequence[FileResult], roots: Sequence[str], policy: RiskPolicy) -> Aggregate:
    """De-duplicate, filter organisation values, link records, and build individuals."""
    manifest, docs, sha_paths = deduplicate(results)
    year_of = {(m.root, m.path): m.year for m in manifest}
    records = [r for d in docs for r in d.records]
    org, org_keys = _org_values(records)
    for record, keys in zip(records, org_keys, strict=True):
        # A record none of whose values is an organisation's keeps them all (most do).
        if any(key in org for key in keys):
            _strip_org_values(record, org)
    people = [r for r in records if _is_person(r) and r.categories]
    clusters = link(people)
    doc_sha = {(d.root, d.path): d.sha256 for d in docs}
    individuals: list[Individual] = []
    for members in clusters:
        rs = [people[i] for i in members]
        names = [n for r in rs for n in r.names]
        categories = sorted({c for r in rs for c in r.categories}, key=category_order)
        # The most recent document's address is the one a letter should go to.
        dated = sorted(
            rs,
            key=lambda r: (year_of.get((r.root, r.doc)) or 0, len(r.addresses[0]) if r.addresses else 0),
            reverse=True,
        )
        address = next((r.addresses[0] for r in dated if r.addresses), "")
        postcode_match = _POSTCODE_IN.search(address.upper())
        postcode = (
            postcode_match.group(0)
            if postcode_match
            else next((r.postcodes[0] for r in dated if r.postcodes), "")
        )
        documents: set[tuple[int, str]] = set()
        for r in rs:
            documents.update(sha_paths.get(doc_sha.get((r.root, r.doc), ""), [(r.root, r.doc)]))
        individuals.append(
            Individual(
                person_id="",
                full_name=_display_name(names),
                date_of_birth=_most_common([d for r in rs for d in r.dobs]),
                address=address,
                postcode=postcode,
                email=_most_common([e for r in rs for e in r.emails]),
                phone=_most_common([p for r in rs for p in r.phones]),
                categories=categories,
                risk=policy.level(categories),
                documents=sorted(p for _, p in documents),
                source_roots=sorted({roots[root] for root, _ in documents}),
                records=members,
                deceased=any(r.deceased for r in rs),
            )
        )
    individuals.sort(key=lambda p: (p.full_name.lower(), p.date_of_birth, p.postcode, p.documents, p.records))
    record_person: dict[tuple[str, int, int], str] = {}
    for number, person in enumerate(individuals, 1):
        person.person_id = f"P{number:06d}"
        for index in person.records:
            r = people[index]
            record_person[(r.doc, r.root, r.seq)] = person.person_id
    org_summary = Counter(kind for kind, _ in org)
    return Aggregate(manifest, docs, records, individuals, dict(org_summary), record_person)
